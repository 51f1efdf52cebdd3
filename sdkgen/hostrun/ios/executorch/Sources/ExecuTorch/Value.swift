// HOST STAND-IN (sdkgen host runs, never shipped in an SDK) of ExecuTorch's value API as Swift sees it
// (v1.4.1): the ObjC `ExecuTorchValue.h` (`Value`, `ValueTag`) plus the Swift overlay `ExecuTorch+Value.swift`,
// with the declarations the compile checks use (see README.md). Bodies follow ExecuTorchValue.mm (a scalar NSNumber is
// a boolean, integer or double by its type) and the overlay (`from` throws `.invalidType`).

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
  private let _tag: ValueTag
  private let _payload: Any?

  init(tag: ValueTag, payload: Any?) {
    _tag = tag
    _payload = payload
    super.init()
  }

  public var tag: ValueTag { _tag }
  public var string: String? { _tag == .string ? _payload as? String : nil }
  public var scalar: NSNumber? { isScalar ? _payload as? NSNumber : nil }
  public var boolean: Bool { precondition(isBoolean); return (_payload as! NSNumber).boolValue }
  public var integer: Int { precondition(isInteger); return (_payload as! NSNumber).intValue }
  public var double: Double { precondition(isDouble); return (_payload as! NSNumber).doubleValue }
  public var float: Float { precondition(isFloat); return (_payload as! NSNumber).floatValue }
  public var isNone: Bool { _tag == .none }
  public var isTensor: Bool { _tag == .tensor }
  public var isString: Bool { _tag == .string }
  public var isScalar: Bool { _tag == .boolean || _tag == .integer || _tag == .double }
  public var isBoolean: Bool { _tag == .boolean }
  public var isInteger: Bool { _tag == .integer }
  public var isDouble: Bool { _tag == .double }
  public var isFloat: Bool { _tag == .double }

  // ObjC factory methods `+valueWith…:` imported as `init(_:)`.
  public convenience init(_ value: AnyTensor) { self.init(tag: .tensor, payload: value) }
  public convenience init(_ value: String) { self.init(tag: .string, payload: value) }
  public convenience init(_ value: Bool) { self.init(tag: .boolean, payload: NSNumber(value: value)) }
  public convenience init(_ value: Int) { self.init(tag: .integer, payload: NSNumber(value: value)) }
  public convenience init(_ value: Double) { self.init(tag: .double, payload: NSNumber(value: value)) }
  public convenience init(_ value: Float) { self.init(tag: .double, payload: NSNumber(value: Double(value))) }
  public convenience init(_ value: NSNumber) {
    let type = String(cString: value.objCType)
    let tag: ValueTag = type == "c" || type == "B" ? .boolean : (type == "f" || type == "d" ? .double : .integer)
    self.init(tag: tag, payload: value)
  }

  static let none = Value(tag: .none, payload: nil)

  var anyTensorValue: AnyTensor? { _tag == .tensor ? _payload as? AnyTensor : nil }

  public func copy(with zone: NSZone? = nil) -> Any {
    if let t = anyTensorValue { return Value(t.copy() as! AnyTensor) }
    return Value(tag: _tag, payload: _payload)
  }

  public func isEqual(to other: Value?) -> Bool {
    guard let other, other.tag == _tag else { return false }
    switch _tag {
    case .none: return true
    case .tensor: return anyTensorValue! == other.anyTensorValue!
    case .string: return string == other.string
    default: return scalar == other.scalar
    }
  }

  public override func isEqual(_ object: Any?) -> Bool { isEqual(to: object as? Value) }
}

public extension Value {
  convenience init<T: Scalar>(_ tensor: Tensor<T>) { self.init(tensor.anyTensor) }
  var anyTensor: AnyTensor? { anyTensorValue }
  func tensor<T: Scalar>() -> Tensor<T>? { anyTensor?.asTensor() }
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
  init(_ value: Value) throws { self = try Self.from(value) }
}

/// A type that can be decoded from a method's outputs: `let y: Tensor<Float> = try m.forward(x)`.
public protocol ValueSequenceConstructible {
  static func from(_ values: [Value]) throws -> Self
}

extension ValueSequenceConstructible where Self: ValueConstructible {
  public static func from(_ values: [Value]) throws -> Self {
    guard values.count == 1 else { throw Error(code: .invalidType) }
    return try Self.from(values[0])
  }
}

public extension ValueSequenceConstructible {
  init(_ values: [Value]) throws { self = try Self.from(values) }
}

// MARK: - ValueConvertible conformances

extension Value: ValueConvertible { public func asValue() -> Value { self } }
extension AnyTensor: ValueConvertible { public func asValue() -> Value { Value(self) } }
extension Tensor: ValueConvertible { public func asValue() -> Value { Value(self) } }
extension String: ValueConvertible { public func asValue() -> Value { Value(self) } }
extension NSNumber: ValueConvertible { public func asValue() -> Value { Value(self) } }
extension UInt8: ValueConvertible { public func asValue() -> Value { Value(NSNumber(value: Int(self))) } }
extension Int8: ValueConvertible { public func asValue() -> Value { Value(NSNumber(value: Int(self))) } }
extension Int16: ValueConvertible { public func asValue() -> Value { Value(NSNumber(value: self)) } }
extension Int32: ValueConvertible { public func asValue() -> Value { Value(NSNumber(value: self)) } }
extension Int64: ValueConvertible { public func asValue() -> Value { Value(NSNumber(value: self)) } }
extension Int: ValueConvertible { public func asValue() -> Value { Value(self) } }
extension Float: ValueConvertible { public func asValue() -> Value { Value(self) } }
extension Double: ValueConvertible { public func asValue() -> Value { Value(self) } }
extension Bool: ValueConvertible { public func asValue() -> Value { Value(self) } }
extension UInt16: ValueConvertible { public func asValue() -> Value { Value(NSNumber(value: self)) } }
extension UInt32: ValueConvertible { public func asValue() -> Value { Value(NSNumber(value: self)) } }
extension UInt64: ValueConvertible { public func asValue() -> Value { Value(NSNumber(value: self)) } }
extension UInt: ValueConvertible { public func asValue() -> Value { Value(NSNumber(value: self)) } }

// MARK: - ValueConstructible / ValueSequenceConstructible conformances

extension Value: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    value as! Self
  }
}
extension AnyTensor: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let tensor = value.anyTensor else {
      throw Error(code: .invalidType, description: "Value is not a tensor")
    }
    return tensor as! Self
  }
}
extension Tensor: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let anyTensor = value.anyTensor else {
      throw Error(code: .invalidType, description: "Value is not a tensor")
    }
    guard anyTensor.dataType == T.dataType, let tensor = Tensor<T>(anyTensor) as? Self else {
      throw Error(code: .invalidType, description: "Tensor is not of type \(Self.self)")
    }
    return tensor
  }
}
extension String: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let string = value.string else {
      throw Error(code: .invalidType, description: "Value is not a string")
    }
    return string
  }
}
extension NSNumber: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar as? Self else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    return scalar
  }
}
extension UInt8: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = UInt8(exactly: scalar.uint8Value) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension Int8: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = Int8(exactly: scalar.int8Value) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension Int16: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = Int16(exactly: scalar.int16Value) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension Int32: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = Int32(exactly: scalar.int32Value) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension Int64: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = Int64(exactly: scalar.int64Value) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension Int: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = Int(exactly: scalar.intValue) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension Float: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = Float(exactly: scalar.floatValue) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension Double: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = Double(exactly: scalar.doubleValue) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension Bool: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = Optional(scalar.boolValue) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension UInt16: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = UInt16(exactly: scalar.uint16Value) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension UInt32: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = UInt32(exactly: scalar.uint32Value) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension UInt64: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = UInt64(exactly: scalar.uint64Value) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}
extension UInt: ValueConstructible, ValueSequenceConstructible {
  public static func from(_ value: Value) throws -> Self {
    guard let scalar = value.scalar else {
      throw Error(code: .invalidType, description: "Value is not a scalar")
    }
    guard let result = UInt(exactly: scalar.uintValue) else {
      throw Error(code: .invalidType, description: "Cannot convert scalar to \(Self.self)")
    }
    return result
  }
}

extension Array: ValueSequenceConstructible where Element: ValueConstructible {
  public static func from(_ values: [Value]) throws -> [Element] { try values.map { try Element.from($0) } }
}
