// Compile-only stub of ExecuTorch's tensor API as Swift sees it (v1.4.1): the ObjC
// `ExecuTorchTensor.h` (imported as `AnyTensor`, `DataType`, `ShapeDynamism`) plus the Swift
// overlay `ExecuTorch+Tensor.swift` (`Scalar`, `Tensor<T>`). Never shipped; bodies are
// fatalError("stub").
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
public func size(ofDataType dataType: DataType) -> Int { fatalError("stub") }

/// Overlay wrapper of `ExecuTorchElementCountOfShape`.
public func elementCount(ofShape shape: [Int]) -> Int { fatalError("stub") }

// MARK: - Scalar

/// A Swift numeric type that can be a tensor element.
public protocol Scalar {
  static var dataType: DataType { get }
  func asNSNumber() -> NSNumber
}

extension UInt8: Scalar {
  public static var dataType: DataType { .byte }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension Int8: Scalar {
  public static var dataType: DataType { .char }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension Int16: Scalar {
  public static var dataType: DataType { .short }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension Int32: Scalar {
  public static var dataType: DataType { .int }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension Int64: Scalar {
  public static var dataType: DataType { .long }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension Int: Scalar {
  public static var dataType: DataType { .long }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension Float: Scalar {
  public static var dataType: DataType { .float }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension Double: Scalar {
  public static var dataType: DataType { .double }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension Bool: Scalar {
  public static var dataType: DataType { .bool }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension UInt16: Scalar {
  public static var dataType: DataType { .uInt16 }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension UInt32: Scalar {
  public static var dataType: DataType { .uInt32 }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension UInt64: Scalar {
  public static var dataType: DataType { .uInt64 }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}
extension UInt: Scalar {
  public static var dataType: DataType { .uInt64 }
  public func asNSNumber() -> NSNumber { fatalError("stub") }
}

// MARK: - AnyTensor (ObjC ExecuTorchTensor)

/// The type-erased ObjC tensor (`NS_SWIFT_NAME(AnyTensor)`, subclassing restricted, `init` unavailable).
public final class AnyTensor: NSObject, NSCopying {
  /// Stub-internal designated initializer; the real `init`/`new` are unavailable.
  init(_stub: Void) { super.init() }

  public var dataType: DataType { fatalError("stub") }
  public var shapeDynamism: ShapeDynamism { fatalError("stub") }
  public var shape: [Int] { fatalError("stub") }
  public var strides: [Int] { fatalError("stub") }
  public var dimensionOrder: [Int] { fatalError("stub") }
  public var count: Int { fatalError("stub") }

  public func copy(with zone: NSZone? = nil) -> Any { fatalError("stub") }
  public func copy(to dataType: DataType) -> AnyTensor { fatalError("stub") }
  public func bytes(_ handler: (UnsafeRawPointer, Int, DataType) -> Void) { fatalError("stub") }
  public func mutableBytes(_ handler: (UnsafeMutableRawPointer, Int, DataType) -> Void) { fatalError("stub") }

  // ObjC scalar initializers exposed with NS_SWIFT_NAME(init(_:)).
  public convenience init(_ scalar: UInt16) { fatalError("stub") }
  public convenience init(_ scalar: UInt32) { fatalError("stub") }
  public convenience init(_ scalar: UInt64) { fatalError("stub") }
  public convenience init(_ scalar: Int) { fatalError("stub") }
  public convenience init(_ scalar: UInt) { fatalError("stub") }

  // Overlay initializers.
  public convenience init(
    _ tensor: AnyTensor,
    shape: [Int] = [],
    dimensionOrder: [Int] = [],
    strides: [Int] = []
  ) { fatalError("stub") }

  public convenience init(
    bytesNoCopy pointer: UnsafeMutableRawPointer,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    dataType: DataType,
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) { fatalError("stub") }

  public convenience init(
    bytes pointer: UnsafeRawPointer,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    dataType: DataType,
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) { fatalError("stub") }

  public convenience init(
    data: Data,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    dataType: DataType,
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) { fatalError("stub") }

  public func resize(to shape: [Int]) throws { fatalError("stub") }
  public static func == (lhs: AnyTensor, rhs: AnyTensor) -> Bool { fatalError("stub") }
  public func asTensor<T: Scalar>() -> Tensor<T>? { fatalError("stub") }
}

public extension AnyTensor {
  static func empty(
    shape: [Int], strides: [Int] = [], dataType: DataType, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }
  static func empty(
    like tensor: AnyTensor, dataType: DataType = .undefined, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }

  static func full<T: Scalar>(
    shape: [Int], scalar: T, strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }
  static func full<T: Scalar>(
    like tensor: AnyTensor, scalar: T, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }

  static func ones(
    shape: [Int], dataType: DataType, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }
  static func ones(
    like tensor: AnyTensor, dataType: DataType = .undefined, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }

  static func zeros(
    shape: [Int], dataType: DataType, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }
  static func zeros(
    like tensor: AnyTensor, dataType: DataType = .undefined, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }

  static func rand(
    shape: [Int], strides: [Int] = [], dataType: DataType, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }
  static func rand(
    like tensor: AnyTensor, dataType: DataType = .undefined, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }

  static func randn(
    shape: [Int], strides: [Int] = [], dataType: DataType, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }
  static func randn(
    like tensor: AnyTensor, dataType: DataType = .undefined, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }

  static func randint(
    low: Int, high: Int, shape: [Int], strides: [Int] = [], dataType: DataType,
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }
  static func randint(
    like tensor: AnyTensor, low: Int, high: Int, dataType: DataType = .undefined,
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> AnyTensor { fatalError("stub") }
}

// MARK: - Tensor<T>

/// The typed Swift tensor wrapping an `AnyTensor`.
public final class Tensor<T: Scalar>: Equatable {
  public let anyTensor: AnyTensor

  public var dataType: DataType { fatalError("stub") }
  public var shape: [Int] { fatalError("stub") }
  public var strides: [Int] { fatalError("stub") }
  public var dimensionOrder: [Int] { fatalError("stub") }
  public var shapeDynamism: ShapeDynamism { fatalError("stub") }
  public var count: Int { fatalError("stub") }

  public init(_ tensor: AnyTensor) { fatalError("stub") }

  public convenience init(
    _ tensor: Tensor<T>,
    shape: [Int] = [],
    dimensionOrder: [Int] = [],
    strides: [Int] = []
  ) { fatalError("stub") }

  public convenience init(
    bytesNoCopy pointer: UnsafeMutableRawPointer,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) { fatalError("stub") }

  public convenience init(
    bytes pointer: UnsafeRawPointer,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) { fatalError("stub") }

  public convenience init(
    data: Data,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) { fatalError("stub") }

  /// No-copy: the tensor aliases the array's storage.
  public convenience init(
    _ scalars: inout [T],
    shape: [Int] = [],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) { fatalError("stub") }

  /// Copies the scalars.
  public convenience init(
    _ scalars: [T],
    shape: [Int] = [],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) { fatalError("stub") }

  public convenience init(_ scalar: T) { fatalError("stub") }

  public func copy() -> Tensor<T> { fatalError("stub") }
  public func copy<U: Scalar>(to dataType: U.Type) -> Tensor<U> { fatalError("stub") }
  public func withUnsafeBytes<R>(_ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R { fatalError("stub") }
  public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
    fatalError("stub")
  }
  public func resize(to shape: [Int]) throws { fatalError("stub") }
  public static func == (lhs: Tensor<T>, rhs: Tensor<T>) -> Bool { fatalError("stub") }
}

public extension Tensor {
  func scalars() -> [T] { fatalError("stub") }
}

public extension Tensor {
  static func empty(
    shape: [Int], strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { fatalError("stub") }
  static func empty(like tensor: Tensor<T>, shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    fatalError("stub")
  }

  static func full(
    shape: [Int], scalar: T, strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { fatalError("stub") }
  static func full(
    like tensor: Tensor<T>, scalar: T, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { fatalError("stub") }

  static func ones(shape: [Int], shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> { fatalError("stub") }
  static func ones(like tensor: Tensor<T>, shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    fatalError("stub")
  }

  static func zeros(shape: [Int], shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> { fatalError("stub") }
  static func zeros(like tensor: Tensor<T>, shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    fatalError("stub")
  }

  static func rand(
    shape: [Int], strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { fatalError("stub") }
  static func rand(like tensor: Tensor<T>, shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    fatalError("stub")
  }

  static func randn(
    shape: [Int], strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { fatalError("stub") }
  static func randn(like tensor: Tensor<T>, shapeDynamism: ShapeDynamism = .dynamicBound) -> Tensor<T> {
    fatalError("stub")
  }

  static func randint(
    low: Int, high: Int, shape: [Int], strides: [Int] = [], shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { fatalError("stub") }
  static func randint(
    like tensor: Tensor<T>, low: Int, high: Int, shapeDynamism: ShapeDynamism = .dynamicBound
  ) -> Tensor<T> { fatalError("stub") }
}

extension Tensor: CustomStringConvertible {
  public var description: String { fatalError("stub") }
}
