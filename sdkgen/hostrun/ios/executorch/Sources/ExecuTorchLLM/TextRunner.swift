// sdkgen host run: this module is the compile stub, unchanged (sdkgen's bindings do not use the LLM runners).
// Compile-only stub of ExecuTorchLLM's `ExecuTorchLLMTextRunner.h` as Swift sees it (v1.4.1).
// Never shipped; bodies are fatalError("stub").
//
// Swift-import details reproduced here:
// - `__attribute__((deprecated("This API is experimental.")))` on the class;
// - `-initWithModelPath:tokenizerPath:specialTokens:` is the designated initializer, the
//   two-argument one is a convenience initializer, and `init()` is unavailable;
// - `-loadWithError:` becomes `load() throws`; `-generateWithPrompt:config:tokenCallback:error:`
//   becomes `generate(_:_:tokenCallback:) throws`, and because the nullable block is the last
//   parameter once `error:` is removed, ClangImporter gives it a `= nil` default argument;
// - methods imported from ObjC are implicitly `@discardableResult`.

// The real framework's module map says `export *`, so importing it also imports Foundation.
@_exported import Foundation

/// The ObjC `ExecuTorchLLMErrorDomain` (`NS_SWIFT_NAME(ErrorDomain)`): `"org.pytorch.executorch.llm.error"`.
public let ErrorDomain: String = "org.pytorch.executorch.llm.error"

/// Loads a text LLM (`.pte` + tokenizer) and streams generated tokens.
@available(*, deprecated, message: "This API is experimental.")
open class TextRunner: NSObject {
  public convenience init(modelPath: String, tokenizerPath: String) { fatalError("stub") }

  public init(modelPath: String, tokenizerPath: String, specialTokens: [String]) { fatalError("stub") }

  @discardableResult open func isLoaded() -> Bool { fatalError("stub") }

  open func load() throws { fatalError("stub") }

  /// Blocks until generation finishes or `stop()` is called; `tokenCallback` runs per token.
  open func generate(_ prompt: String, _ config: Config, tokenCallback: ((String) -> Void)? = nil) throws {
    fatalError("stub")
  }

  open func stop() { fatalError("stub") }

  /// Clears the KV cache, the start position and the stats of previous runs.
  open func reset() { fatalError("stub") }
}
