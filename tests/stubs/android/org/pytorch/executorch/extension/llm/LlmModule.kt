// COMPILE STUB (tests only, never shipped). ExecuTorch v1.4.1, mobile-apis.md §1 "LLM".
package org.pytorch.executorch.extension.llm

import java.io.Closeable
import java.nio.ByteBuffer
import org.pytorch.executorch.annotations.Experimental

/**
 * `generate`, `load` and `prefill*` are synchronous, return Unit and throw ExecutorchRuntimeException on
 * native errors (v1.3+). A bad path throws IllegalArgumentException. A call from inside a callback, use
 * after `close()`, or `close()` during `generate` throws IllegalStateException. `stop()` takes no lock.
 */
@Experimental
class LlmModule
private constructor(
    modelType: Int,
    modulePath: String,
    tokenizerPath: String,
    temperature: Float,
    dataFiles: List<String>,
    numBos: Int,
    numEos: Int,
    loadMode: Int,
) : Closeable {

  // v1.3+
  constructor(
      modelType: Int,
      modulePath: String,
      tokenizerPath: String,
      temperature: Float,
      dataFiles: List<String>,
      numBos: Int,
      numEos: Int,
  ) : this(modelType, modulePath, tokenizerPath, temperature, dataFiles, numBos, numEos, 1)

  // v1.3+
  constructor(
      modelType: Int,
      modulePath: String,
      tokenizerPath: String,
      temperature: Float,
      dataFiles: List<String>,
  ) : this(modelType, modulePath, tokenizerPath, temperature, dataFiles, 0, 0, 1)

  constructor(
      modelType: Int,
      modulePath: String,
      tokenizerPath: String,
      temperature: Float,
      dataPath: String?,
      numBos: Int,
      numEos: Int,
  ) : this(modelType, modulePath, tokenizerPath, temperature, emptyList<String>(), numBos, numEos, 1)

  constructor(
      modelType: Int,
      modulePath: String,
      tokenizerPath: String,
      temperature: Float,
      dataPath: String?,
  ) : this(modelType, modulePath, tokenizerPath, temperature, emptyList<String>(), 0, 0, 1)

  constructor(
      modelType: Int,
      modulePath: String,
      tokenizerPath: String,
      temperature: Float,
  ) : this(modelType, modulePath, tokenizerPath, temperature, emptyList<String>(), 0, 0, 1)

  constructor(
      modulePath: String,
      tokenizerPath: String,
      temperature: Float,
  ) : this(MODEL_TYPE_TEXT, modulePath, tokenizerPath, temperature, emptyList<String>(), 0, 0, 1)

  constructor(
      modulePath: String,
      tokenizerPath: String,
      temperature: Float,
      dataPath: String,
  ) : this(MODEL_TYPE_TEXT, modulePath, tokenizerPath, temperature, listOf(dataPath), 0, 0, 1)

  constructor(
      config: LlmModuleConfig
  ) : this(
      config.modelType,
      config.modulePath,
      config.tokenizerPath,
      config.temperature,
      emptyList<String>(),
      config.numBos,
      config.numEos,
      config.loadMode,
  )

  override fun close(): Unit = TODO("stub")

  @Deprecated("Use close() instead", replaceWith = ReplaceWith("close()"))
  fun resetNative(): Unit = TODO("stub")

  /** seqLen 128, echo true. */
  fun generate(prompt: String, llmCallback: LlmCallback): Unit = TODO("stub")

  fun generate(prompt: String, seqLen: Int, llmCallback: LlmCallback): Unit = TODO("stub")

  fun generate(prompt: String, llmCallback: LlmCallback, echo: Boolean): Unit = TODO("stub")

  fun generate(prompt: String, seqLen: Int, llmCallback: LlmCallback, echo: Boolean): Unit =
      TODO("stub")

  fun generate(
      prompt: String,
      seqLen: Int,
      llmCallback: LlmCallback,
      echo: Boolean,
      temperature: Float,
      numBos: Int,
      numEos: Int,
  ): Unit = TODO("stub")

  fun generate(prompt: String, config: LlmGenerationConfig, llmCallback: LlmCallback): Unit =
      TODO("stub")

  fun generate(
      image: IntArray?,
      width: Int,
      height: Int,
      channels: Int,
      prompt: String,
      seqLen: Int,
      llmCallback: LlmCallback,
      echo: Boolean,
  ): Unit = TODO("stub")

  fun generate(
      image: IntArray?,
      width: Int,
      height: Int,
      channels: Int,
      prompt: String,
      seqLen: Int,
      llmCallback: LlmCallback,
      echo: Boolean,
      temperature: Float,
  ): Unit = TODO("stub")

  fun generate(
      image: IntArray?,
      width: Int,
      height: Int,
      channels: Int,
      prompt: String,
      seqLen: Int,
      llmCallback: LlmCallback,
      echo: Boolean,
      temperature: Float,
      numBos: Int,
      numEos: Int,
  ): Unit = TODO("stub")

  @Experimental fun prefillPrompt(prompt: String): Unit = TODO("stub")

  @Experimental
  fun prefillImages(image: IntArray, width: Int, height: Int, channels: Int): Unit = TODO("stub")

  @Experimental
  fun prefillImages(image: ByteBuffer, width: Int, height: Int, channels: Int): Unit = TODO("stub")

  @Experimental
  fun prefillImages(image: FloatArray, width: Int, height: Int, channels: Int): Unit = TODO("stub")

  @Experimental
  fun prefillNormalizedImage(image: ByteBuffer, width: Int, height: Int, channels: Int): Unit =
      TODO("stub")

  @Experimental
  fun prefillAudio(audio: ByteArray, batchSize: Int, nBins: Int, nFrames: Int): Unit = TODO("stub")

  @Experimental
  fun prefillAudio(audio: FloatArray, batchSize: Int, nBins: Int, nFrames: Int): Unit = TODO("stub")

  @Experimental
  fun prefillRawAudio(audio: ByteArray, batchSize: Int, nChannels: Int, nSamples: Int): Unit =
      TODO("stub")

  /** Clears the KV cache; the start position goes back to 0. */
  fun resetContext(): Unit = TODO("stub")

  /** Stops a running `generate` from another thread. */
  fun stop(): Unit = TODO("stub")

  /** Loads eagerly; otherwise the first `generate` loads. */
  fun load(): Unit = TODO("stub")

  companion object {
    const val MODEL_TYPE_TEXT = 1
    const val MODEL_TYPE_TEXT_VISION = 2
    const val MODEL_TYPE_MULTIMODAL = 2
  }
}
