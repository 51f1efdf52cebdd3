// Compile-only stub of ExecuTorch's value API as Swift sees it (v1.4.1): the ObjC
// `ExecuTorchValue.h` (imported as `Value`, `ValueTag`) plus the Swift overlay
// `ExecuTorch+Value.swift` (`ValueConvertible`, `ValueConstructible`,
// `ValueSequenceConstructible` and their conformances). Never shipped; bodies are
// fatalError("stub").

import Foundation

/// ObjC `ExecuTorchValueTag` (`NS_ENUM(uint32_t)`).
public enum ValueTag: UInt32, @unchecked Sendable {
  case none
  case tensor
  case string
  case double
  case integer
  case boolean
}

public typealias ScalarValue = NSNumber
public typealias StringValue = String
public typealias BoolValue = Bool
public typealias IntegerValue = Int
public typealias DoubleValue = Double
public typealias FloatValue = Float

/// A tagged runtime value (`NS_SWIFT_NAME(Value)`, subclassing restricted).
public final class Value: NSObject, NSCopying {
  /// Stub-internal designated initializer; the real class has only factory initializers.
  init(_stub: Void) { super.init() }

  public var tag: ValueTag { fatalError("stub") }
  public var string: String? { fatalError("stub") }
  public var scalar: NSNumber? { fatalError("stub") }
  public var boolean: Bool { fatalError("stub") }
  public var integer: Int { fatalError("stub") }
  public var double: Double { fatalError("stub") }
  public var float: Float { fatalError("stub") }
  public var isNone: Bool { fatalError("stub") }
  public var isTensor: Bool { fatalError("stub") }
  public var isString: Bool { fatalError("stub") }
  public var isScalar: Bool { fatalError("stub") }
  public var isBoolean: Bool { fatalError("stub") }
  public var isInteger: Bool { fatalError("stub") }
  public var isDouble: Bool { fatalError("stub") }
  public var isFloat: Bool { fatalError("stub") }

  // ObjC factory methods `+valueWith…:` imported as `init(_:)`.
  public convenience init(_ value: AnyTensor) { fatalError("stub") }
  public convenience init(_ value: String) { fatalError("stub") }
  public convenience init(_ value: Bool) { fatalError("stub") }
  public convenience init(_ value: Int) { fatalError("stub") }
  public convenience init(_ value: Double) { fatalError("stub") }
  public convenience init(_ value: Float) { fatalError("stub") }
  public convenience init(_ value: NSNumber) { fatalError("stub") }

  public func copy(with zone: NSZone? = nil) -> Any { fatalError("stub") }
  public func isEqual(to other: Value?) -> Bool { fatalError("stub") }
}

public extension Value {
  convenience init<T: Scalar>(_ tensor: Tensor<T>) { fatalError("stub") }
  var anyTensor: AnyTensor? { fatalError("stub") }
  func tensor<T: Scalar>() -> Tensor<T>? { fatalError("stub") }
}

// MARK: - Protocols

/// A type that can be passed as a method input.
public protocol ValueConvertible {
  func asValue() -> Value
}

/// A type that can be decoded from one `Value`.
public protocol ValueConstructible {
  static func from(_ value: Value) throws -> Self
}

public extension ValueConstructible {
  init(_ value: Value) throws { fatalError("stub") }
}

/// A type that can be decoded from a method's outputs: `let y: Tensor<Float> = try m.forward(x)`.
public protocol ValueSequenceConstructible {
  static func from(_ values: [Value]) throws -> Self
}

extension ValueSequenceConstructible where Self: ValueConstructible {
  public static func from(_ values: [Value]) throws -> Self { fatalError("stub") }
}

public extension ValueSequenceConstructible {
  init(_ values: [Value]) throws { fatalError("stub") }
}

// MARK: - ValueConvertible conformances

extension Value: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension AnyTensor: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension Tensor: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension String: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension NSNumber: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension UInt8: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension Int8: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension Int16: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension Int32: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension Int64: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension Int: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension Float: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension Double: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension Bool: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension UInt16: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension UInt32: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension UInt64: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }
extension UInt: ValueConvertible { public func asValue() -> Value { fatalError("stub") } }

// MARK: - ValueConstructible / ValueSequenceConstructible conformances

extension Value: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension AnyTensor: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension Tensor: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension String: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension NSNumber: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension UInt8: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension Int8: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension Int16: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension Int32: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension Int64: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension Int: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension Float: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension Double: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension Bool: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension UInt16: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension UInt32: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension UInt64: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}
extension UInt: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self { fatalError("stub") }
}

extension Array: ValueSequenceConstructible where Element: ValueConstructible {
  public static func from(_ values: [Value]) throws -> [Element] { fatalError("stub") }
}
