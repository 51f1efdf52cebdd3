// Compile-only stub of ExecuTorch's module API as Swift sees it (v1.4.1): the ObjC
// `ExecuTorchModule.h`, `ExecuTorchBackendOption.h`, `ExecuTorchBackendOptionsMap.h` plus the
// Swift overlay `ExecuTorch+Module.swift`. Never shipped; bodies are fatalError("stub").
//
// Methods imported from ObjC are implicitly `@discardableResult` in Swift; overlay methods are not.
// Omitted: ObjC `-loadWithVerification:error:` (its Swift spelling is unconfirmed), the
// `NS_REFINED_FOR_SWIFT` `__`-prefixed originals, logging, event tracer and image processor.

import Foundation

/// ObjC `ExecuTorchModuleLoadMode` (`NS_ENUM(NSInteger)`).
public enum ModuleLoadMode: Int, @unchecked Sendable {
  case file = 0
  case mmap
  case mmapUseMlock
  case mmapUseMlockIgnoreErrors
}

/// ObjC `ExecuTorchVerification` (`NS_ENUM(uint8_t)`, `NS_SWIFT_NAME(ModuleVerification)`).
public enum ModuleVerification: UInt8, @unchecked Sendable {
  case minimal
  case internalConsistency
}

// MARK: - Backend options

/// ObjC `ExecuTorchBackendOptionType`.
public enum BackendOptionType: Int, @unchecked Sendable {
  case boolean
  case integer
  case string
}

/// One backend option (`NS_SWIFT_NAME(BackendOption)`, `init` unavailable).
public final class BackendOption: NSObject {
  init(_stub: Void) { super.init() }

  public var key: String { fatalError("stub") }
  public var type: BackendOptionType { fatalError("stub") }
  public var boolValue: Bool { fatalError("stub") }
  public var intValue: Int { fatalError("stub") }
  public var stringValue: String? { fatalError("stub") }

  public convenience init(_ key: String, _ value: Bool) { fatalError("stub") }
  public convenience init(_ key: String, _ value: Int) { fatalError("stub") }
  public convenience init(_ key: String, _ value: String) { fatalError("stub") }
}

/// Per-backend option lists keyed by backend id (`NS_SWIFT_NAME(BackendOptionsMap)`).
public final class BackendOptionsMap: NSObject {
  public init(options: [String: [BackendOption]]) throws { fatalError("stub") }
  public var options: [String: [BackendOption]] { fatalError("stub") }
}

// MARK: - Metadata

/// ObjC `ExecuTorchTensorMetadata` (`init` unavailable).
public final class TensorMetadata: NSObject {
  init(_stub: Void) { super.init() }

  public var dataType: DataType { fatalError("stub") }
  public var isMemoryPlanned: Bool { fatalError("stub") }
  public var name: String { fatalError("stub") }
}

public extension TensorMetadata {
  var shape: [Int] { fatalError("stub") }
  var dimensionOrder: [Int] { fatalError("stub") }
}

/// ObjC `ExecuTorchMethodMetadata` (`init` unavailable).
public final class MethodMetadata: NSObject {
  init(_stub: Void) { super.init() }

  public var name: String { fatalError("stub") }
  public var attributeTensorMetadata: [TensorMetadata] { fatalError("stub") }
  public var backendNames: [String] { fatalError("stub") }
  public var instructionCount: Int { fatalError("stub") }
}

public extension MethodMetadata {
  var inputValueTags: [ValueTag] { fatalError("stub") }
  var outputValueTags: [ValueTag] { fatalError("stub") }
  var inputTensorMetadata: [Int: TensorMetadata] { fatalError("stub") }
  var outputTensorMetadata: [Int: TensorMetadata] { fatalError("stub") }
  var memoryPlannedBufferSizes: [Int] { fatalError("stub") }
}

// MARK: - Module

/// ObjC `ExecuTorchModule`: loads a `.pte` program and runs its methods. Not thread-safe.
open class Module: NSObject {
  /// Designated initializer. No I/O happens until `load()`.
  public init(filePath: String, dataFilePaths: [String], loadMode: ModuleLoadMode) { fatalError("stub") }
  public convenience init(filePath: String, dataFilePaths: [String]) { fatalError("stub") }
  public convenience init(filePath: String, loadMode: ModuleLoadMode) { fatalError("stub") }
  public convenience init(filePath: String) { fatalError("stub") }

  open func load() throws { fatalError("stub") }
  open func load(_ methodName: String) throws { fatalError("stub") }
  @discardableResult open func isLoaded() -> Bool { fatalError("stub") }
  @discardableResult open func isLoaded(_ methodName: String) -> Bool { fatalError("stub") }
  @discardableResult open func unload(_ methodName: String) -> Bool { fatalError("stub") }
  @discardableResult open func methodNames() throws -> Set<String> { fatalError("stub") }
  @discardableResult open func methodMetadata(_ methodName: String) throws -> MethodMetadata { fatalError("stub") }
  @discardableResult open func execute(_ methodName: String) throws -> [Value] { fatalError("stub") }
  @discardableResult open func forward() throws -> [Value] { fatalError("stub") }
}

public extension Module {
  func load(options: BackendOptionsMap, verification: ModuleVerification = .minimal) throws { fatalError("stub") }
  func load(_ method: String, options: BackendOptionsMap) throws { fatalError("stub") }
}

public extension Module {
  func execute(_ method: String, _ inputs: [ValueConvertible]) throws -> [Value] { fatalError("stub") }
  func execute(_ method: String, _ inputs: ValueConvertible...) throws -> [Value] { fatalError("stub") }
  func forward(_ inputs: [ValueConvertible]) throws -> [Value] { fatalError("stub") }
  func forward(_ inputs: ValueConvertible...) throws -> [Value] { fatalError("stub") }
}

public extension Module {
  func execute<Output: ValueSequenceConstructible>(_ method: String, _ inputs: [ValueConvertible]) throws -> Output {
    fatalError("stub")
  }
  func execute<Output: ValueSequenceConstructible>(_ method: String, _ inputs: ValueConvertible...) throws -> Output {
    fatalError("stub")
  }
  func execute<Output: ValueSequenceConstructible>(_ method: String, _ input: ValueConvertible) throws -> Output {
    fatalError("stub")
  }
  func execute<Output: ValueSequenceConstructible>(_ method: String) throws -> Output { fatalError("stub") }
  func forward<Output: ValueSequenceConstructible>(_ inputs: [ValueConvertible]) throws -> Output { fatalError("stub") }
  func forward<Output: ValueSequenceConstructible>(_ inputs: ValueConvertible...) throws -> Output { fatalError("stub") }
  func forward<Output: ValueSequenceConstructible>(_ input: ValueConvertible) throws -> Output { fatalError("stub") }
  func forward<Output: ValueSequenceConstructible>() throws -> Output { fatalError("stub") }
}

public extension Module {
  func setInput(_ value: ValueConvertible, for method: String, at index: Int) throws { fatalError("stub") }
  func setInput(_ value: ValueConvertible, for method: String) throws { fatalError("stub") }
  func setInput(_ value: ValueConvertible, at index: Int) throws { fatalError("stub") }
  func setInput(_ value: ValueConvertible) throws { fatalError("stub") }
  func setInputs(_ values: [ValueConvertible], for method: String) throws { fatalError("stub") }
  func setInputs(_ values: [ValueConvertible]) throws { fatalError("stub") }
  func setInputs(_ values: ValueConvertible..., for method: String) throws { fatalError("stub") }
  func setInputs(_ values: ValueConvertible...) throws { fatalError("stub") }
  func setOutput(_ value: ValueConvertible, for method: String, at index: Int) throws { fatalError("stub") }
  func setOutput(_ value: ValueConvertible, for method: String) throws { fatalError("stub") }
  func setOutput(_ value: ValueConvertible, at index: Int) throws { fatalError("stub") }
  func setOutput(_ value: ValueConvertible) throws { fatalError("stub") }
}
