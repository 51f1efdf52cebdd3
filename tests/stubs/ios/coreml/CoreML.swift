// Compile stub of the parts of Apple's Core ML framework that generated bindings use, written from
// ../shared/reference/mobile-apis.md section 5 (Apple symbol pages). Linux has no Core ML: the compile test
// adds this file as a local `CoreML` module to a copy of the generated package. Never shipped.
import Foundation

public enum MLComputeUnits: Int, Sendable {
    case cpuOnly = 0, cpuAndGPU = 1, all = 2, cpuAndNeuralEngine = 3
}

open class MLModelConfiguration: NSObject, @unchecked Sendable {
    open var computeUnits: MLComputeUnits = .all
    /// iOS 18: which function of a multifunction model to load. Not in mobile-apis.md; from coremltools'
    /// multifunction documentation (unverified against the SDK here).
    open var functionName: String?
    public override init() { super.init() }
}

/// iOS 18: the state of a stateful model (its KV cache), created by ``MLModel/makeState()``.
open class MLState: NSObject, @unchecked Sendable {
    public func withMultiArray<R>(for stateName: String, _ body: (MLMultiArray) throws -> R) rethrows -> R {
        fatalError("stub")
    }
}

public protocol MLFeatureProvider {
    var featureNames: Set<String> { get }
    func featureValue(for featureName: String) -> MLFeatureValue?
}

public protocol MLShapedArrayScalar {}
extension Float: MLShapedArrayScalar {}
extension Double: MLShapedArrayScalar {}
extension Int32: MLShapedArrayScalar {}

public protocol MLShapedArrayProtocol {
    associatedtype Scalar: MLShapedArrayScalar
    var scalars: [Scalar] { get }
    var shape: [Int] { get }
}

open class MLMultiArray: NSObject {
    public init(shape: [NSNumber], dataType: MLMultiArrayDataType) throws { fatalError("stub") }
    public convenience init<S: MLShapedArrayProtocol>(_ shapedArray: S) { fatalError("stub") }
    open var shape: [NSNumber] { fatalError("stub") }
    open var count: Int { fatalError("stub") }
    /// iOS 15.4 (Apple's MLMultiArray page; the digest lists the typed withUnsafeMutableBufferPointer only).
    open func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer, [Int]) throws -> R) rethrows -> R {
        fatalError("stub")
    }
}

public enum MLMultiArrayDataType: Int {
    case double = 65600, float32 = 65568, float16 = 65552, int32 = 131104
}

public struct MLShapedArray<Scalar: MLShapedArrayScalar>: MLShapedArrayProtocol {
    public init<S: Sequence>(scalars: S, shape: [Int]) where S.Element == Scalar { fatalError("stub") }
    public init(_ multiArray: MLMultiArray) { fatalError("stub") }
    public init(converting multiArray: MLMultiArray) { fatalError("stub") }
    public var scalars: [Scalar] { fatalError("stub") }
    public var shape: [Int] { fatalError("stub") }
}

open class MLFeatureValue: NSObject {
    public convenience init(multiArray: MLMultiArray) { fatalError("stub") }
    open var multiArrayValue: MLMultiArray? { fatalError("stub") }
}

open class MLDictionaryFeatureProvider: NSObject, MLFeatureProvider {
    public init(dictionary: [String: Any]) throws { fatalError("stub") }
    public var featureNames: Set<String> { fatalError("stub") }
    public func featureValue(for featureName: String) -> MLFeatureValue? { fatalError("stub") }
}

open class MLModel: NSObject, @unchecked Sendable {
    public convenience init(contentsOf url: URL) throws { fatalError("stub") }
    public convenience init(contentsOf url: URL, configuration: MLModelConfiguration) throws { fatalError("stub") }
    open class func compileModel(at modelURL: URL) throws -> URL { fatalError("stub") }
    open func prediction(from input: any MLFeatureProvider) throws -> any MLFeatureProvider { fatalError("stub") }
    open func prediction(from input: any MLFeatureProvider) async throws -> any MLFeatureProvider { fatalError("stub") }
    open func makeState() -> MLState { fatalError("stub") }
    open func prediction(from inputFeatures: any MLFeatureProvider, using state: MLState) throws -> any MLFeatureProvider {
        fatalError("stub")
    }
}
