// sdkgen host run: this module is the compile stub, unchanged (sdkgen's bindings do not use the LLM runners).
// Compile-only stub of ExecuTorchLLM's `ExecuTorchLLMMultimodalRunner.h` as Swift sees it
// (v1.4.1). Never shipped; bodies are fatalError("stub").

import Foundation

/// ObjC `ExecuTorchLLMMultimodalInputType` (`NS_ENUM(NSInteger)`).
public enum MultimodalInputType: Int, @unchecked Sendable {
  case text
  case image
  case audio
  case unsupported
}

/// Raw image bytes for multimodal generation (`NS_SWIFT_NAME(Image)`).
@available(*, deprecated, message: "This API is experimental.")
public final class Image: NSObject, NSCopying {
  public init(data: Data, width: Int, height: Int, channels: Int) { fatalError("stub") }
  public init(floatData data: Data, width: Int, height: Int, channels: Int) { fatalError("stub") }
  public var data: Data { fatalError("stub") }
  public var width: Int { fatalError("stub") }
  public var height: Int { fatalError("stub") }
  public var channels: Int { fatalError("stub") }
  public var isFloat: Bool { fatalError("stub") }
  public func copy(with zone: NSZone? = nil) -> Any { fatalError("stub") }
}

/// Pre-processed audio features (`NS_SWIFT_NAME(Audio)`).
@available(*, deprecated, message: "This API is experimental.")
public final class Audio: NSObject, NSCopying {
  public init(data: Data, batchSize: Int, bins: Int, frames: Int) { fatalError("stub") }
  public init(floatData data: Data, batchSize: Int, bins: Int, frames: Int) { fatalError("stub") }
  public var data: Data { fatalError("stub") }
  public var batchSize: Int { fatalError("stub") }
  public var bins: Int { fatalError("stub") }
  public var frames: Int { fatalError("stub") }
  public var isFloat: Bool { fatalError("stub") }
  public func copy(with zone: NSZone? = nil) -> Any { fatalError("stub") }
}

/// One tagged multimodal input item (`NS_SWIFT_NAME(MultimodalInput)`).
@available(*, deprecated, message: "This API is experimental.")
public final class MultimodalInput: NSObject, NSCopying {
  init(_stub: Void) { super.init() }
  public convenience init(_ text: String) { fatalError("stub") }
  public convenience init(_ image: Image) { fatalError("stub") }
  public convenience init(_ audio: Audio) { fatalError("stub") }
  public var type: MultimodalInputType { fatalError("stub") }
  public var text: String? { fatalError("stub") }
  public var image: Image? { fatalError("stub") }
  public var audio: Audio? { fatalError("stub") }
  public func copy(with zone: NSZone? = nil) -> Any { fatalError("stub") }
}

/// Loads a multimodal LLM and streams generated tokens (`NS_SWIFT_NAME(MultimodalRunner)`).
@available(*, deprecated, message: "This API is experimental.")
public final class MultimodalRunner: NSObject {
  public init(modelPath: String, tokenizerPath: String) { fatalError("stub") }
  @discardableResult public func isLoaded() -> Bool { fatalError("stub") }
  public func load() throws { fatalError("stub") }
  public func generate(
    _ inputs: [MultimodalInput], _ config: Config, tokenCallback: ((String) -> Void)? = nil
  ) throws { fatalError("stub") }
  public func stop() { fatalError("stub") }
  public func reset() { fatalError("stub") }
}
