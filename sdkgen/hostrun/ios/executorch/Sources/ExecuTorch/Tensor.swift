// HOST STAND-IN (sdkgen host runs, never shipped in an SDK) of ExecuTorch's tensor API as Swift sees it
// (v1.4.1): the ObjC `ExecuTorchTensor.h` (`AnyTensor`, `DataType`, `ShapeDynamism`) plus the Swift overlay
// `ExecuTorch+Tensor.swift` (`Scalar`, `Tensor<T>`), with the declarations the compile checks use (see README.md).
// A tensor owns a contiguous little-endian copy of its elements, except `bytesNoCopy:` and `inout [T]`, which
// alias the caller's memory as upstream's do. Strides and dimension order are the contiguous defaults.
//
// Known gap: ObjC NS_ENUMs are non-frozen in Swift (an exhaustive `switch` wants
// `@unknown default`); these Swift enums are frozen, so that warning is not reproduced.

import Foundation

/// ObjC `ExecuTorchDataType` (`NS_ENUM(int8_t)`).
public enum DataType: Int8, @unchecked Sendable {
  case byte
  case char
  case short
  case int
  case long
  case half
  case float
  case double
  case complexHalf
  case complexFloat
  case complexDouble
  case bool
  case qInt8
  case qUInt8
  case qInt32
  case bFloat16
  case qUInt4x2
  case qUInt2x4
  case bits1x8
  case bits2x4
  case bits4x2
  case bits8
  case bits16
  case float8_e5m2
  case float8_e4m3fn
  case float8_e5m2fnuz
  case float8_e4m3fnuz
  case uInt16
  case uInt32
  case uInt64
  case undefined
  case numOptions
}

/// ObjC `ExecuTorchShapeDynamism` (`NS_ENUM(uint8_t)`).
public enum ShapeDynamism: UInt8, @unchecked Sendable {
  case `static`
  case dynamicBound
  case dynamicUnbound
}

/// ObjC `ExecuTorchSizeOfDataType`.
public func size(ofDataType dataType: DataType) -> Int {
  switch dataType {
  case .byte, .char, .bool, .qInt8, .qUInt8, .qUInt4x2, .qUInt2x4, .bits1x8, .bits2x4, .bits4x2, .bits8,
    .float8_e5m2, .float8_e4m3fn, .float8_e5m2fnuz, .float8_e4m3fnuz:
    return 1
  case .short, .half, .bFloat16, .bits16, .uInt16: return 2
  case .int, .float, .qInt32, .complexHalf, .uInt32: return 4
  case .long, .double, .complexFloat, .uInt64: return 8
  case .complexDouble: return 16
  case .undefined, .numOptions: return 0
  }
}

/// Overlay wrapper of `ExecuTorchElementCountOfShape`.
public func elementCount(ofShape shape: [Int]) -> Int { shape.reduce(1, *) }

// MARK: - Scalar

/// A Swift numeric type that can be a tensor element.
public protocol Scalar {
  static var dataType: DataType { get }
  func asNSNumber() -> NSNumber
}

extension UInt8: Scalar {
  public static var dataType: DataType { .byte }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension Int8: Scalar {
  public static var dataType: DataType { .char }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension Int16: Scalar {
  public static var dataType: DataType { .short }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension Int32: Scalar {
  public static var dataType: DataType { .int }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension Int64: Scalar {
  public static var dataType: DataType { .long }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension Int: Scalar {
  public static var dataType: DataType { .long }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension Float: Scalar {
  public static var dataType: DataType { .float }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension Double: Scalar {
  public static var dataType: DataType { .double }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension Bool: Scalar {
  public static var dataType: DataType { .bool }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension UInt16: Scalar {
  public static var dataType: DataType { .uInt16 }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension UInt32: Scalar {
  public static var dataType: DataType { .uInt32 }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension UInt64: Scalar {
  public static var dataType: DataType { .uInt64 }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}
extension UInt: Scalar {
  public static var dataType: DataType { .uInt64 }
  public func asNSNumber() -> NSNumber { NSNumber(value: self) }
}

// MARK: - Storage

/// The elements of one or more tensors (views share it): owned, or aliasing the caller's memory.
final class HostStorage {
  let pointer: UnsafeMutableRawPointer
  let byteCount: Int
  private let owned: Bool

  init(byteCount: Int) {
    self.byteCount = byteCount
    pointer = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 16)
    pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
    owned = true
  }

  init(aliasing pointer: UnsafeMutableRawPointer, byteCount: Int) {
    self.pointer = pointer
    self.byteCount = byteCount
    owned = false
  }

  deinit {
    if owned { pointer.deallocate() }
  }
}

/// Reads element `i` of a `dataType` buffer as a Double (the host's conversions, as `static_cast` does).
func hostRead(_ p: UnsafeRawPointer, _ i: Int, _ dataType: DataType) -> Double {
  switch dataType {
  case .byte: return Double(p.load(fromByteOffset: i, as: UInt8.self))
  case .char: return Double(p.load(fromByteOffset: i, as: Int8.self))
  case .short: return Double(p.load(fromByteOffset: 2 * i, as: Int16.self))
  case .int: return Double(p.load(fromByteOffset: 4 * i, as: Int32.self))
  case .long: return Double(p.load(fromByteOffset: 8 * i, as: Int64.self))
  case .half: return Double(p.load(fromByteOffset: 2 * i, as: Float16.self))
  case .float: return Double(p.load(fromByteOffset: 4 * i, as: Float.self))
  case .double: return p.load(fromByteOffset: 8 * i, as: Double.self)
  case .bool: return p.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0
  case .uInt16: return Double(p.load(fromByteOffset: 2 * i, as: UInt16.self))
  case .uInt32: return Double(p.load(fromByteOffset: 4 * i, as: UInt32.self))
  case .uInt64: return Double(p.load(fromByteOffset: 8 * i, as: UInt64.self))
  default: preconditionFailure("the host stand-in does not convert \(dataType) tensors")
  }
}

/// Writes `v` as element `i` of a `dataType` buffer.
func hostWrite(_ p: UnsafeMutableRawPointer, _ i: Int, _ dataType: DataType, _ v: Double) {
  switch dataType {
  case .byte: p.storeBytes(of: UInt8(truncatingIfNeeded: Int64(v)), toByteOffset: i, as: UInt8.self)
  case .char: p.storeBytes(of: Int8(truncatingIfNeeded: Int64(v)), toByteOffset: i, as: Int8.self)
  case .short: p.storeBytes(of: Int16(truncatingIfNeeded: Int64(v)), toByteOffset: 2 * i, as: Int16.self)
  case .int: p.storeBytes(of: Int32(truncatingIfNeeded: Int64(v)), toByteOffset: 4 * i, as: Int32.self)
  case .long: p.storeBytes(of: Int64(v), toByteOffset: 8 * i, as: Int64.self)
  case .half: p.storeBytes(of: Float16(v), toByteOffset: 2 * i, as: Float16.self)
  case .float: p.storeBytes(of: Float(v), toByteOffset: 4 * i, as: Float.self)
  case .double: p.storeBytes(of: v, toByteOffset: 8 * i, as: Double.self)
  case .bool: p.storeBytes(of: v != 0 ? 1 : 0, toByteOffset: i, as: UInt8.self)
  case .uInt16: p.storeBytes(of: UInt16(truncatingIfNeeded: Int64(v)), toByteOffset: 2 * i, as: UInt16.self)
  case .uInt32: p.storeBytes(of: UInt32(truncatingIfNeeded: Int64(v)), toByteOffset: 4 * i, as: UInt32.self)
  case .uInt64: p.storeBytes(of: UInt64(v), toByteOffset: 8 * i, as: UInt64.self)
  default: preconditionFailure("the host stand-in does not convert \(dataType) tensors")
  }
}

func contiguousStrides(_ shape: [Int]) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  var running = 1
  for d in stride(from: shape.count - 1, through: 0, by: -1) {
    strides[d] = running
    running *= max(shape[d], 1)
  }
  return strides
}

// MARK: - AnyTensor (ObjC ExecuTorchTensor)

/// The type-erased ObjC tensor (`NS_SWIFT_NAME(AnyTensor)`, subclassing restricted, `init` unavailable).
public final class AnyTensor: NSObject, NSCopying {
  let storage: HostStorage
  private var _shape: [Int]
  public let dataType: DataType
  public let shapeDynamism: ShapeDynamism

  init(storage: HostStorage, shape: [Int], dataType: DataType, shapeDynamism: ShapeDynamism) {
    self.storage = storage
    _shape = shape
    self.dataType = dataType
    self.shapeDynamism = shapeDynamism
    super.init()
  }

  /// A new zeroed tensor.
  convenience init(shape: [Int], dataType: DataType, shapeDynamism: ShapeDynamism) {
    let bytes = elementCount(ofShape: shape) * size(ofDataType: dataType)
    self.init(storage: HostStorage(byteCount: bytes), shape: shape, dataType: dataType, shapeDynamism: shapeDynamism)
  }

  /// A new tensor whose element `i` is `value(i)`.
  convenience init(shape: [Int], dataType: DataType, shapeDynamism: ShapeDynamism, value: (Int) -> Double) {
    self.init(shape: shape, dataType: dataType, shapeDynamism: shapeDynamism)
    for i in 0..<elementCount(ofShape: shape) { hostWrite(storage.pointer, i, dataType, value(i)) }
  }

  public var shape: [Int] { _shape }
  public var strides: [Int] { contiguousStrides(_shape) }
  public var dimensionOrder: [Int] { Array(0..<_shape.count) }
  public var count: Int { elementCount(ofShape: _shape) }

  var byteCount: Int { count * size(ofDataType: dataType) }

  public func copy(with zone: NSZone? = nil) -> Any { copy(to: dataType) }

  public func copy(to dataType: DataType) -> AnyTensor {
    let out = AnyTensor(shape: _shape, dataType: dataType, shapeDynamism: shapeDynamism)
    if dataType == self.dataType {
      out.storage.pointer.copyMemory(from: storage.pointer, byteCount: byteCount)
    } else {
      for i in 0..<count { hostWrite(out.storage.pointer, i, dataType, hostRead(storage.pointer, i, self.dataType)) }
    }
    return out
  }

  public func bytes(_ handler: (UnsafeRawPointer, Int, DataType) -> Void) {
    handler(UnsafeRawPointer(storage.pointer), count, dataType)
  }

  public func mutableBytes(_ handler: (UnsafeMutableRawPointer, Int, DataType) -> Void) {
    handler(storage.pointer, count, dataType)
  }

  // ObjC scalar initializers exposed with NS_SWIFT_NAME(init(_:)).
  public convenience init(_ scalar: UInt16) { self.init(shape: [], dataType: .uInt16, shapeDynamism: .dynamicBound) { _ in Double(scalar) } }
  public convenience init(_ scalar: UInt32) { self.init(shape: [], dataType: .uInt32, shapeDynamism: .dynamicBound) { _ in Double(scalar) } }
  public convenience init(_ scalar: UInt64) { self.init(shape: [], dataType: .uInt64, shapeDynamism: .dynamicBound) { _ in Double(scalar) } }
  public convenience init(_ scalar: Int) { self.init(shape: [], dataType: .long, shapeDynamism: .dynamicBound) { _ in Double(scalar) } }
  public convenience init(_ scalar: UInt) { self.init(shape: [], dataType: .uInt64, shapeDynamism: .dynamicBound) { _ in Double(scalar) } }

  // Overlay initializers.
  public convenience init(
    _ tensor: AnyTensor,
    shape: [Int] = [],
    dimensionOrder: [Int] = [],
    strides: [Int] = []
  ) {
    self.init(
      storage: tensor.storage, shape: shape.isEmpty ? tensor.shape : shape, dataType: tensor.dataType,
      shapeDynamism: tensor.shapeDynamism)
  }

  public convenience init(
    bytesNoCopy pointer: UnsafeMutableRawPointer,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    dataType: DataType,
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) {
    let bytes = elementCount(ofShape: shape) * size(ofDataType: dataType)
    self.init(
      storage: HostStorage(aliasing: pointer, byteCount: bytes), shape: shape, dataType: dataType,
      shapeDynamism: shapeDynamism)
  }

  public convenience init(
    bytes pointer: UnsafeRawPointer,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    dataType: DataType,
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) {
    self.init(shape: shape, dataType: dataType, shapeDynamism: shapeDynamism)
    storage.pointer.copyMemory(from: pointer, byteCount: byteCount)
  }

  public convenience init(
    data: Data,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    dataType: DataType,
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) {
    self.init(shape: shape, dataType: dataType, shapeDynamism: shapeDynamism)
    precondition(data.count >= byteCount, "data holds \(data.count) bytes, the shape needs \(byteCount)")
    data.withUnsafeBytes { storage.pointer.copyMemory(from: $0.baseAddress!, byteCount: byteCount) }
  }

  /// As `resize_tensor_ptr`: a static tensor keeps its shape, a bounded one fits in its storage.
  public func resize(to shape: [Int]) throws {
    if shape == _shape { return }
    if shapeDynamism == .static || shape.count != _shape.count {
      throw Error(code: .notSupported)
    }
    if elementCount(ofShape: shape) * size(ofDataType: dataType) > storage.byteCount {
      throw Error(code: .notSupported)
    }
    _shape = shape
  }

  public static func == (lhs: AnyTensor, rhs: AnyTensor) -> Bool {
    lhs.dataType == rhs.dataType && lhs.shape == rhs.shape
      && memcmp(lhs.storage.pointer, rhs.storage.pointer, lhs.byteCount) == 0
  }

  public override func isEqual(_ object: Any?) -> Bool {
    guard let other = object as? AnyTensor else { return false }
    return self == other
  }

  public func asTensor<T: Scalar>() -> Tensor<T>? {
    dataType == T.dataType ? Tensor<T>(self) : nil
  }
}

public extension AnyTensor {
  static func empty(
    shape: [Int], strides: [Int] = [], dataType: DataType, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { AnyTensor(shape: shape, dataType: dataType, shapeDynamism: shapeDynamism) }
  static func empty(
    like tensor: AnyTensor, dataType: DataType = .undefined, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { empty(shape: tensor.shape, dataType: dataType == .undefined ? tensor.dataType : dataType, shapeDynamism: shapeDynamism) }

  static func full<T: Scalar>(
    shape: [Int], scalar: T, strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor {
    let v = scalar.asNSNumber().doubleValue
    return AnyTensor(shape: shape, dataType: T.dataType, shapeDynamism: shapeDynamism) { _ in v }
  }
  static func full<T: Scalar>(
    like tensor: AnyTensor, scalar: T, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor {
    let v = scalar.asNSNumber().doubleValue
    return AnyTensor(shape: tensor.shape, dataType: tensor.dataType, shapeDynamism: shapeDynamism) { _ in v }
  }

  static func ones(
    shape: [Int], dataType: DataType, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { AnyTensor(shape: shape, dataType: dataType, shapeDynamism: shapeDynamism) { _ in 1 } }
  static func ones(
    like tensor: AnyTensor, dataType: DataType = .undefined, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { ones(shape: tensor.shape, dataType: dataType == .undefined ? tensor.dataType : dataType, shapeDynamism: shapeDynamism) }

  static func zeros(
    shape: [Int], dataType: DataType, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { AnyTensor(shape: shape, dataType: dataType, shapeDynamism: shapeDynamism) }
  static func zeros(
    like tensor: AnyTensor, dataType: DataType = .undefined, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { zeros(shape: tensor.shape, dataType: dataType == .undefined ? tensor.dataType : dataType, shapeDynamism: shapeDynamism) }

  static func rand(
    shape: [Int], strides: [Int] = [], dataType: DataType, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { AnyTensor(shape: shape, dataType: dataType, shapeDynamism: shapeDynamism) { _ in Double.random(in: 0..<1) } }
  static func rand(
    like tensor: AnyTensor, dataType: DataType = .undefined, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { rand(shape: tensor.shape, dataType: dataType == .undefined ? tensor.dataType : dataType, shapeDynamism: shapeDynamism) }

  static func randn(
    shape: [Int], strides: [Int] = [], dataType: DataType, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor {
    AnyTensor(shape: shape, dataType: dataType, shapeDynamism: shapeDynamism) { _ in
      // Box-Muller
      (-2 * log(Double.random(in: Double.ulpOfOne..<1))).squareRoot() * cos(2 * Double.pi * Double.random(in: 0..<1))
    }
  }
  static func randn(
    like tensor: AnyTensor, dataType: DataType = .undefined, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { randn(shape: tensor.shape, dataType: dataType == .undefined ? tensor.dataType : dataType, shapeDynamism: shapeDynamism) }

  static func randint(
    low: Int, high: Int, shape: [Int], strides: [Int] = [], dataType: DataType,
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { AnyTensor(shape: shape, dataType: dataType, shapeDynamism: shapeDynamism) { _ in Double(Int.random(in: low..<high)) } }
  static func randint(
    like tensor: AnyTensor, low: Int, high: Int, dataType: DataType = .undefined,
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor {
    randint(low: low, high: high, shape: tensor.shape, dataType: dataType == .undefined ? tensor.dataType : dataType, shapeDynamism: shapeDynamism)
  }
}

// MARK: - Tensor<T>

/// The typed Swift tensor wrapping an `AnyTensor`.
public final class Tensor<T: Scalar>: Equatable {
  public let anyTensor: AnyTensor

  public var dataType: DataType { anyTensor.dataType }
  public var shape: [Int] { anyTensor.shape }
  public var strides: [Int] { anyTensor.strides }
  public var dimensionOrder: [Int] { anyTensor.dimensionOrder }
  public var shapeDynamism: ShapeDynamism { anyTensor.shapeDynamism }
  public var count: Int { anyTensor.count }

  public init(_ tensor: AnyTensor) {
    precondition(tensor.dataType == T.dataType, "Tensor<\(T.self)> over a \(tensor.dataType) tensor")
    anyTensor = tensor
  }

  public convenience init(
    _ tensor: Tensor<T>,
    shape: [Int] = [],
    dimensionOrder: [Int] = [],
    strides: [Int] = []
  ) { self.init(AnyTensor(tensor.anyTensor, shape: shape, dimensionOrder: dimensionOrder, strides: strides)) }

  public convenience init(
    bytesNoCopy pointer: UnsafeMutableRawPointer,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) {
    self.init(
      AnyTensor(bytesNoCopy: pointer, shape: shape, strides: strides, dimensionOrder: dimensionOrder,
        dataType: T.dataType, shapeDynamism: shapeDynamism))
  }

  public convenience init(
    bytes pointer: UnsafeRawPointer,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) {
    self.init(
      AnyTensor(bytes: pointer, shape: shape, strides: strides, dimensionOrder: dimensionOrder,
        dataType: T.dataType, shapeDynamism: shapeDynamism))
  }

  public convenience init(
    data: Data,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) {
    self.init(
      AnyTensor(data: data, shape: shape, strides: strides, dimensionOrder: dimensionOrder,
        dataType: T.dataType, shapeDynamism: shapeDynamism))
  }

  /// No-copy upstream (the tensor aliases the array's storage); the host stand-in copies, since Swift gives no
  /// lasting pointer into an array.
  public convenience init(
    _ scalars: inout [T],
    shape: [Int] = [],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) {
    let copy = scalars
    self.init(copy, shape: shape, strides: strides, dimensionOrder: dimensionOrder, shapeDynamism: shapeDynamism)
  }

  /// Copies the scalars.
  public convenience init(
    _ scalars: [T],
    shape: [Int] = [],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) {
    let shape = shape.isEmpty ? [scalars.count] : shape
    precondition(elementCount(ofShape: shape) == scalars.count, "\(scalars.count) scalars for shape \(shape)")
    let tensor = scalars.withUnsafeBytes { raw in
      AnyTensor(
        bytes: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 16)!, shape: shape, strides: strides,
        dimensionOrder: dimensionOrder, dataType: T.dataType, shapeDynamism: shapeDynamism)
    }
    self.init(tensor)
  }

  public convenience init(_ scalar: T) { self.init([scalar], shape: []) }

  public func copy() -> Tensor<T> { Tensor<T>(anyTensor.copy(to: dataType)) }
  public func copy<U: Scalar>(to dataType: U.Type) -> Tensor<U> { Tensor<U>(anyTensor.copy(to: U.dataType)) }
  public func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
    let p = anyTensor.storage.pointer.bindMemory(to: T.self, capacity: count)
    return try body(UnsafeBufferPointer(start: p, count: count))
  }
  public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
    let p = anyTensor.storage.pointer.bindMemory(to: T.self, capacity: count)
    return try body(UnsafeMutableBufferPointer(start: p, count: count))
  }
  public func resize(to shape: [Int]) throws { try anyTensor.resize(to: shape) }
  public static func == (lhs: Tensor<T>, rhs: Tensor<T>) -> Bool { lhs.anyTensor == rhs.anyTensor }
}

public extension Tensor {
  func scalars() -> [T] { withUnsafeBytes { Array($0) } }
}

public extension Tensor {
  static func empty(
    shape: [Int], strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { Tensor<T>(AnyTensor.empty(shape: shape, dataType: T.dataType, shapeDynamism: shapeDynamism)) }
  static func empty(like tensor: Tensor<T>, shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    empty(shape: tensor.shape, shapeDynamism: shapeDynamism)
  }

  static func full(
    shape: [Int], scalar: T, strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { Tensor<T>(AnyTensor.full(shape: shape, scalar: scalar, shapeDynamism: shapeDynamism)) }
  static func full(
    like tensor: Tensor<T>, scalar: T, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { full(shape: tensor.shape, scalar: scalar, shapeDynamism: shapeDynamism) }

  static func ones(shape: [Int], shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    Tensor<T>(AnyTensor.ones(shape: shape, dataType: T.dataType, shapeDynamism: shapeDynamism))
  }
  static func ones(like tensor: Tensor<T>, shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    ones(shape: tensor.shape, shapeDynamism: shapeDynamism)
  }

  static func zeros(shape: [Int], shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    Tensor<T>(AnyTensor.zeros(shape: shape, dataType: T.dataType, shapeDynamism: shapeDynamism))
  }
  static func zeros(like tensor: Tensor<T>, shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    zeros(shape: tensor.shape, shapeDynamism: shapeDynamism)
  }

  static func rand(
    shape: [Int], strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { Tensor<T>(AnyTensor.rand(shape: shape, dataType: T.dataType, shapeDynamism: shapeDynamism)) }
  static func rand(like tensor: Tensor<T>, shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    rand(shape: tensor.shape, shapeDynamism: shapeDynamism)
  }

  static func randn(
    shape: [Int], strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { Tensor<T>(AnyTensor.randn(shape: shape, dataType: T.dataType, shapeDynamism: shapeDynamism)) }
  static func randn(like tensor: Tensor<T>, shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    randn(shape: tensor.shape, shapeDynamism: shapeDynamism)
  }

  static func randint(
    low: Int, high: Int, shape: [Int], strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> {
    Tensor<T>(AnyTensor.randint(low: low, high: high, shape: shape, dataType: T.dataType, shapeDynamism: shapeDynamism))
  }
  static func randint(
    like tensor: Tensor<T>, low: Int, high: Int, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { randint(low: low, high: high, shape: tensor.shape, shapeDynamism: shapeDynamism) }
}

extension Tensor: CustomStringConvertible {
  public var description: String { "Tensor<\(T.self)>(shape: \(shape), \(count) elements)" }
}
