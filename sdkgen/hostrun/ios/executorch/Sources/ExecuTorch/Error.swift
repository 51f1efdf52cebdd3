// HOST STAND-IN (sdkgen host runs, never shipped in an SDK) of ExecuTorch's `ExecuTorchError.h` as Swift sees it
// (v1.4.1): the declarations the compile checks use, with bodies. Errors are `NSError`s of `ErrorDomain`
// whose description is `ExecuTorchErrorDescription(code)` [+ ": " + description], as ExecuTorchError.m builds them.
//
// ObjC: `FOUNDATION_EXPORT NSErrorDomain const ExecuTorchErrorDomain NS_SWIFT_NAME(ErrorDomain);`
//       `typedef NS_ERROR_ENUM(ExecuTorchErrorDomain, ExecuTorchErrorCode) {...} NS_SWIFT_NAME(ErrorCode);`
// Swift imports an NS_ERROR_ENUM as an error *struct* (`ErrorCode`) with a nested `Code: Int`
// enum, plus static shortcuts, so `ErrorCode.invalidArgument.rawValue == 18`,
// `catch ErrorCode.invalidArgument` and `ErrorCode.Code.invalidArgument` all compile.

// The real framework's module map says `export *`, so importing it also imports Foundation.
@_exported import Foundation

/// The `NSError` domain of every error the runtime throws (`"org.pytorch.executorch.error"`).
public let ErrorDomain: String = "org.pytorch.executorch.error"

/// The ObjC spelling is renamed by `NS_SWIFT_NAME`; Swift code that uses it fails to compile.
@available(*, unavailable, renamed: "ErrorDomain")
public let ExecuTorchErrorDomain: String = "org.pytorch.executorch.error"

/// The imported form of `NS_ERROR_ENUM(ExecuTorchErrorDomain, ExecuTorchErrorCode)`.
public struct ErrorCode: CustomNSError, Hashable, Swift.Error {
  /// The raw error codes; numerically equal to `runtime/core/error.h`.
  public enum Code: Int, @unchecked Sendable, Equatable {
    case ok = 0
    case `internal` = 1
    case invalidState = 2
    case endOfMethod = 3
    case notSupported = 16
    case notImplemented = 17
    case invalidArgument = 18
    case invalidType = 19
    case operatorMissing = 20
    case registrationExceedingMaxKernels = 21
    case registrationAlreadyRegistered = 22
    case notFound = 32
    case memoryAllocationFailed = 33
    case accessFailed = 34
    case invalidProgram = 35
    case invalidExternalData = 36
    case outOfResources = 37
    case delegateInvalidCompatibility = 48
    case delegateMemoryAllocationFailed = 49
    case delegateInvalidHandle = 50
  }

  private let _nsError: NSError

  public init(_nsError: NSError) { self._nsError = _nsError }
  public init(_ code: Code, userInfo: [String: Any] = [:]) {
    _nsError = NSError(domain: ErrorDomain, code: code.rawValue, userInfo: userInfo)
  }

  public static var errorDomain: String { ErrorDomain }
  public var code: Code { Code(rawValue: _nsError.code) ?? .internal }
  public var errorCode: Int { _nsError.code }
  public var errorUserInfo: [String: Any] { _nsError.userInfo }
  public var userInfo: [String: Any] { _nsError.userInfo }
  public var localizedDescription: String { _nsError.localizedDescription }

  public static func == (lhs: ErrorCode, rhs: ErrorCode) -> Bool { lhs._nsError.isEqual(rhs._nsError) }
  public func hash(into hasher: inout Hasher) { hasher.combine(_nsError.code) }

  public static var ok: Code { .ok }
  public static var `internal`: Code { .internal }
  public static var invalidState: Code { .invalidState }
  public static var endOfMethod: Code { .endOfMethod }
  public static var notSupported: Code { .notSupported }
  public static var notImplemented: Code { .notImplemented }
  public static var invalidArgument: Code { .invalidArgument }
  public static var invalidType: Code { .invalidType }
  public static var operatorMissing: Code { .operatorMissing }
  public static var registrationExceedingMaxKernels: Code { .registrationExceedingMaxKernels }
  public static var registrationAlreadyRegistered: Code { .registrationAlreadyRegistered }
  public static var notFound: Code { .notFound }
  public static var memoryAllocationFailed: Code { .memoryAllocationFailed }
  public static var accessFailed: Code { .accessFailed }
  public static var invalidProgram: Code { .invalidProgram }
  public static var invalidExternalData: Code { .invalidExternalData }
  public static var outOfResources: Code { .outOfResources }
  public static var delegateInvalidCompatibility: Code { .delegateInvalidCompatibility }
  public static var delegateMemoryAllocationFailed: Code { .delegateMemoryAllocationFailed }
  public static var delegateInvalidHandle: Code { .delegateInvalidHandle }
}

extension ErrorCode.Code {
  /// `catch ErrorCode.invalidArgument { ... }` pattern matching, as for any imported error enum.
  public static func ~= (match: ErrorCode.Code, error: Swift.Error) -> Bool {
    let ns = error as NSError
    return ns.domain == ErrorDomain && ns.code == match.rawValue
  }
}

/// ObjC `ExecuTorchErrorDescription` (`NS_SWIFT_NAME(ErrorDescription(_:))`).
public func ErrorDescription(_ code: ErrorCode.Code) -> String {
  switch code {
  case .ok: return ""
  case .internal: return "Internal error"
  case .invalidState: return "Invalid executor state"
  case .endOfMethod: return "No more execution steps"
  case .notSupported: return "Operation not supported"
  case .notImplemented: return "Operation not implemented"
  case .invalidArgument: return "Invalid argument"
  case .invalidType: return "Invalid type"
  case .operatorMissing: return "Operator missing"
  case .registrationExceedingMaxKernels: return "Exceeded maximum number of kernels"
  case .registrationAlreadyRegistered: return "Kernel is already registered"
  case .notFound: return "Resource not found"
  case .memoryAllocationFailed: return "Memory allocation failed"
  case .accessFailed: return "Access failed"
  case .invalidProgram: return "Invalid program contents"
  case .invalidExternalData: return "Invalid external data"
  case .outOfResources: return "Out of resources"
  case .delegateInvalidCompatibility: return "Delegate version incompatible"
  case .delegateMemoryAllocationFailed: return "Delegate memory allocation failed"
  case .delegateInvalidHandle: return "Delegate handle invalid"
  }
}

/// ObjC `ExecuTorchErrorWithCode` (`NS_SWIFT_NAME(Error(code:))`).
public func Error(code: ErrorCode.Code) -> NSError { Error(code: code, description: nil) }

/// ObjC `ExecuTorchErrorWithCodeAndDescription` (`NS_SWIFT_NAME(Error(code:description:))`).
public func Error(code: ErrorCode.Code, description: String?) -> NSError {
  let text = (description ?? "").isEmpty ? ErrorDescription(code) : ErrorDescription(code) + ": " + description!
  return NSError(domain: ErrorDomain, code: code.rawValue, userInfo: [NSLocalizedDescriptionKey: text])
}

/// An error with a code the bridge sent that `ErrorCode.Code` may not know (as ExecuTorchErrorWithCode casts).
func hostError(_ raw: Int, _ description: String? = nil) -> NSError {
  if let code = ErrorCode.Code(rawValue: raw) { return Error(code: code, description: description) }
  let text = "Unknown error" + ((description ?? "").isEmpty ? "" : ": " + description!)
  return NSError(domain: ErrorDomain, code: raw, userInfo: [NSLocalizedDescriptionKey: text])
}
