// sdkgen host run: this module is the compile stub, unchanged (sdkgen's bindings do not use the LLM runners).
// Compile-only stub of ExecuTorchLLM's `ExecuTorchLLMConfig.h` as Swift sees it (v1.4.1).
// Never shipped; bodies are fatalError("stub").
//
// The ObjC class carries `__attribute__((deprecated("This API is experimental.")))`, which Swift
// imports as the deprecation below: every mention of `Config` in client code warns, so a build
// with warnings-as-errors fails exactly as it would against the real framework.

import Foundation

/// Text-generation settings (`NS_SWIFT_NAME(Config)`, subclassing restricted): `Config { $0.sequenceLength = 128 }`.
@available(*, deprecated, message: "This API is experimental.")
public final class Config: NSObject, NSCopying {
  public override init() { fatalError("stub") }

  /// ObjC `-initWithBlock:` (`NS_SWIFT_NAME(init(_:))`, block is `NS_NOESCAPE`).
  public convenience init(_ block: (Config) -> Void) { fatalError("stub") }

  public var isEchoEnabled: Bool {
    get { fatalError("stub") }
    set { fatalError("stub") }
  }
  public var maximumNewTokens: Int {
    get { fatalError("stub") }
    set { fatalError("stub") }
  }
  public var isWarming: Bool {
    get { fatalError("stub") }
    set { fatalError("stub") }
  }
  public var sequenceLength: Int {
    get { fatalError("stub") }
    set { fatalError("stub") }
  }
  public var temperature: Double {
    get { fatalError("stub") }
    set { fatalError("stub") }
  }
  public var bosCount: Int {
    get { fatalError("stub") }
    set { fatalError("stub") }
  }
  public var eosCount: Int {
    get { fatalError("stub") }
    set { fatalError("stub") }
  }

  public func copy(with zone: NSZone? = nil) -> Any { fatalError("stub") }
}
