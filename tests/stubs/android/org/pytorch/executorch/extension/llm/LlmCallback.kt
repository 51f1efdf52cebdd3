// COMPILE STUB (tests only, never shipped). ExecuTorch v1.4.1, mobile-apis.md §1 "LLM".
package org.pytorch.executorch.extension.llm

import org.pytorch.executorch.annotations.Experimental

/**
 * A plain interface, NOT a `fun interface`: Kotlin callers must write
 * `object : LlmCallback { override fun onResult(result: String) { … } }`; a SAM lambda does not compile.
 * Callbacks run on the thread that called `generate`.
 */
@Experimental
interface LlmCallback {
  /** One decoded piece per token (with byte-level BPE possibly an incomplete UTF-8 sequence). */
  fun onResult(result: String)

  /** Generation statistics as a JSON string. */
  fun onStats(stats: String) {}

  /** v1.3+. */
  fun onError(errorCode: Int, message: String) {}
}
