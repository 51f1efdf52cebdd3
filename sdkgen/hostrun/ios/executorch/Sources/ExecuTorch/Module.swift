// HOST STAND-IN (sdkgen host runs, never shipped in an SDK) of ExecuTorch's module API as Swift sees it (v1.4.1):
// the ObjC `ExecuTorchModule.h`, `ExecuTorchBackendOption.h`, `ExecuTorchBackendOptionsMap.h` plus the Swift
// overlay `ExecuTorch+Module.swift`, with the declarations the compile checks use (see README.md). As ExecuTorchModule.mm:
// `init` does no I/O; `load()` loads the program (a missing or bad file throws its runtime code, e.g.
// `.accessFailed`); `load(_:)`, `execute` and `forward` throw `Error(code:)` with the runtime's code and no
// description (`.invalidArgument` for a method the program lacks); `execute` loads the method when needed.
// The runtime is ExecuTorch's own C++ runtime behind sdkgen.hostrun.bridge (HostBridge.swift). Not here:
// method metadata and output buffers (`methodMetadata`, `setOutput` throw `.notSupported`), backend options
// (accepted and ignored: the host runs XNNPACK and portable kernels).
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
  public let key: String
  public let type: BackendOptionType
  public let boolValue: Bool
  public let intValue: Int
  public let stringValue: String?

  init(key: String, type: BackendOptionType, boolValue: Bool = false, intValue: Int = 0, stringValue: String? = nil) {
    self.key = key
    self.type = type
    self.boolValue = boolValue
    self.intValue = intValue
    self.stringValue = stringValue
    super.init()
  }

  public convenience init(_ key: String, _ value: Bool) { self.init(key: key, type: .boolean, boolValue: value) }
  public convenience init(_ key: String, _ value: Int) { self.init(key: key, type: .integer, intValue: value) }
  public convenience init(_ key: String, _ value: String) { self.init(key: key, type: .string, stringValue: value) }
}

/// Per-backend option lists keyed by backend id (`NS_SWIFT_NAME(BackendOptionsMap)`).
public final class BackendOptionsMap: NSObject {
  public let options: [String: [BackendOption]]
  public init(options: [String: [BackendOption]]) throws { self.options = options }
}

// MARK: - Metadata

/// ObjC `ExecuTorchTensorMetadata` (`init` unavailable).
public final class TensorMetadata: NSObject {
  init(_stub: Void) { super.init() }

  public var dataType: DataType { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
  public var isMemoryPlanned: Bool { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
  public var name: String { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
}

public extension TensorMetadata {
  var shape: [Int] { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
  var dimensionOrder: [Int] { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
}

/// ObjC `ExecuTorchMethodMetadata` (`init` unavailable).
public final class MethodMetadata: NSObject {
  init(_stub: Void) { super.init() }

  public var name: String { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
  public var attributeTensorMetadata: [TensorMetadata] { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
  public var backendNames: [String] { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
  public var instructionCount: Int { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
}

public extension MethodMetadata {
  var inputValueTags: [ValueTag] { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
  var outputValueTags: [ValueTag] { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
  var inputTensorMetadata: [Int: TensorMetadata] { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
  var outputTensorMetadata: [Int: TensorMetadata] { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
  var memoryPlannedBufferSizes: [Int] { fatalError("unreachable: the sdkgen host stand-in makes no metadata") }
}

// MARK: - Module

/// ObjC `ExecuTorchModule`: loads a `.pte` program and runs its methods. Not thread-safe.
open class Module: NSObject {
  private let filePath: String
  private let loadMode: ModuleLoadMode
  private var handle: Int32 = 0
  private var programLoaded = false
  private var loadedMethods: Set<String> = []
  fileprivate var inputs: [String: [Int: Value]] = [:]

  /// Designated initializer. No I/O happens until `load()`.
  public init(filePath: String, dataFilePaths: [String], loadMode: ModuleLoadMode) {
    self.filePath = filePath
    self.loadMode = loadMode
    super.init()
  }
  public convenience init(filePath: String, dataFilePaths: [String]) {
    self.init(filePath: filePath, dataFilePaths: dataFilePaths, loadMode: .file)
  }
  public convenience init(filePath: String, loadMode: ModuleLoadMode) {
    self.init(filePath: filePath, dataFilePaths: [], loadMode: loadMode)
  }
  public convenience init(filePath: String) { self.init(filePath: filePath, dataFilePaths: [], loadMode: .file) }

  deinit {
    if handle != 0 {
      let h = handle
      _ = HostBridge.shared.call { $0.byte(5).int(h) }
    }
  }

  open func load() throws {
    if programLoaded { return }
    _ = try names()
  }

  open func load(_ methodName: String) throws {
    if loadedMethods.contains(methodName) { return }
    try load()
    let h = try opened()
    try check(HostBridge.shared.call { $0.byte(2).int(h).string(methodName) })
    loadedMethods.insert(methodName)
  }

  @discardableResult open func isLoaded() -> Bool { programLoaded }
  @discardableResult open func isLoaded(_ methodName: String) -> Bool { loadedMethods.contains(methodName) }
  @discardableResult open func unload(_ methodName: String) -> Bool { loadedMethods.remove(methodName) != nil }
  @discardableResult open func methodNames() throws -> Set<String> { Set(try names()) }
  @discardableResult open func methodMetadata(_ methodName: String) throws -> MethodMetadata {
    throw Error(code: .notSupported, description: "method metadata is not in the sdkgen host stand-in")
  }
  @discardableResult open func execute(_ methodName: String) throws -> [Value] {
    let set = inputs[methodName] ?? [:]
    let count = (set.keys.max() ?? -1) + 1
    return try run(methodName, (0..<count).map { set[$0] ?? Value.none })
  }
  @discardableResult open func forward() throws -> [Value] { try execute("forward") }

  fileprivate func run(_ methodName: String, _ values: [Value]) throws -> [Value] {
    try load(methodName)
    let h = try opened()
    var failure: NSError?
    var reply = HostBridge.shared.call { f in
      f.byte(3).int(h).string(methodName).int(Int32(values.count))
      for v in values where failure == nil { failure = Self.write(v, to: f) }
    }
    if let failure { throw failure }
    try check(reply)
    let n = Int(reply.body.take(Int32.self))
    return (0..<n).map { _ in Self.readValue(&reply.body) }
  }

  private func opened() throws -> Int32 {
    if handle != 0 { return handle }
    let path = filePath
    let mode = Int32(loadMode.rawValue)
    var reply = HostBridge.shared.call { $0.byte(1).string(path).int(mode) }
    try check(reply)
    handle = reply.body.take(Int32.self)
    return handle
  }

  private func names() throws -> [String] {
    let h = try opened()
    var reply = HostBridge.shared.call { $0.byte(4).int(h) }
    try check(reply)
    programLoaded = true
    return (0..<Int(reply.body.take(Int32.self))).map { _ in reply.body.string() }
  }

  /// Throws as `ExecuTorchErrorWithCode((ExecuTorchErrorCode)error)`: the code, no description. The bridge's
  /// message goes to stderr, where the runtime's own log would be.
  private func check(_ reply: HostReply) throws {
    if reply.status == 0 { return }
    FileHandle.standardError.write(Data(("ExecuTorch (host): " + reply.message + "\n").utf8))
    throw hostError(reply.status)
  }

  private static func write(_ v: Value, to f: HostFrame) -> NSError? {
    switch v.tag {
    case .tensor:
      let t = v.anyTensor!
      guard [.byte, .char, .short, .int, .long, .half, .float, .double, .bool].contains(t.dataType) else {
        return Error(code: .invalidArgument, description: "the host bridge does not carry \(t.dataType) tensors")
      }
      f.byte(1).int(Int32(t.dataType.rawValue)).int(Int32(t.shape.count))
      for d in t.shape { f.long(Int64(d)) }
      f.int(Int32(t.byteCount)).bytes(t.storage.pointer, t.byteCount)
    case .integer: f.byte(4).long(Int64(v.integer))
    case .double: f.byte(3).double(v.double)
    case .boolean: f.byte(5).byte(v.boolean ? 1 : 0)
    case .none, .string:
      return Error(code: .invalidArgument, description: "the host bridge does not carry \(v.tag) inputs")
    }
    return nil
  }

  private static func readValue(_ r: inout HostReader) -> Value {
    switch r.take(Int8.self) {
    case 1:
      let code = Int8(truncatingIfNeeded: r.take(Int32.self))
      let dataType = DataType(rawValue: code) ?? .undefined
      let shape = (0..<Int(r.take(Int32.self))).map { _ in Int(r.take(Int64.self)) }
      let bytes = r.raw(Int(r.take(Int32.self)))
      return Value(AnyTensor(data: bytes, shape: shape, dataType: dataType))
    case 3: return Value(r.double())
    case 4: return Value(Int(r.take(Int64.self)))
    case 5: return Value(r.take(Int8.self) != 0)
    default: return Value.none
    }
  }
}

public extension Module {
  func load(options: BackendOptionsMap, verification: ModuleVerification = .minimal) throws { try load() }
  func load(_ method: String, options: BackendOptionsMap) throws { try load(method) }
}

public extension Module {
  func execute(_ method: String, _ inputs: [ValueConvertible]) throws -> [Value] {
    try run(method, inputs.map { $0.asValue() })
  }
  func execute(_ method: String, _ inputs: ValueConvertible...) throws -> [Value] { try execute(method, inputs) }
  func forward(_ inputs: [ValueConvertible]) throws -> [Value] { try execute("forward", inputs) }
  func forward(_ inputs: ValueConvertible...) throws -> [Value] { try execute("forward", inputs) }
}

public extension Module {
  func execute<Output: ValueSequenceConstructible>(_ method: String, _ inputs: [ValueConvertible]) throws -> Output {
    try Output.from(try execute(method, inputs))
  }
  func execute<Output: ValueSequenceConstructible>(_ method: String, _ inputs: ValueConvertible...) throws -> Output {
    try Output.from(try execute(method, inputs))
  }
  func execute<Output: ValueSequenceConstructible>(_ method: String, _ input: ValueConvertible) throws -> Output {
    try Output.from(try execute(method, [input]))
  }
  func execute<Output: ValueSequenceConstructible>(_ method: String) throws -> Output {
    try Output.from(try execute(method))
  }
  func forward<Output: ValueSequenceConstructible>(_ inputs: [ValueConvertible]) throws -> Output {
    try Output.from(try execute("forward", inputs))
  }
  func forward<Output: ValueSequenceConstructible>(_ inputs: ValueConvertible...) throws -> Output {
    try Output.from(try execute("forward", inputs))
  }
  func forward<Output: ValueSequenceConstructible>(_ input: ValueConvertible) throws -> Output {
    try Output.from(try execute("forward", [input]))
  }
  func forward<Output: ValueSequenceConstructible>() throws -> Output { try Output.from(try execute("forward")) }
}

public extension Module {
  func setInput(_ value: ValueConvertible, for method: String, at index: Int) throws {
    inputs[method, default: [:]][index] = value.asValue()
  }
  func setInput(_ value: ValueConvertible, for method: String) throws { try setInput(value, for: method, at: 0) }
  func setInput(_ value: ValueConvertible, at index: Int) throws { try setInput(value, for: "forward", at: index) }
  func setInput(_ value: ValueConvertible) throws { try setInput(value, for: "forward", at: 0) }
  func setInputs(_ values: [ValueConvertible], for method: String) throws {
    inputs[method] = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($0.offset, $0.element.asValue()) })
  }
  func setInputs(_ values: [ValueConvertible]) throws { try setInputs(values, for: "forward") }
  func setInputs(_ values: ValueConvertible..., for method: String) throws { try setInputs(values, for: method) }
  func setInputs(_ values: ValueConvertible...) throws { try setInputs(values, for: "forward") }
  func setOutput(_ value: ValueConvertible, for method: String, at index: Int) throws {
    throw Error(code: .notSupported, description: "output buffers are not in the sdkgen host stand-in")
  }
  func setOutput(_ value: ValueConvertible, for method: String) throws { try setOutput(value, for: method, at: 0) }
  func setOutput(_ value: ValueConvertible, at index: Int) throws { try setOutput(value, for: "forward", at: index) }
  func setOutput(_ value: ValueConvertible) throws { try setOutput(value, for: "forward", at: 0) }
}
