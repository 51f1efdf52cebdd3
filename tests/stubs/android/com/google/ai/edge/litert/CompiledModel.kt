// COMPILE STUB (tests only, never shipped).
// Follows google-ai-edge/LiteRT v2.2.0 (145c7523ff08) litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/Model.kt
// (TensorType and CompiledModel; same on `main` f67457790c9c). The file keeps its old stub name. There is no `Model`
// class and no `create(Model, ...)` since 2.1. The internal option keys and `toMap()` helpers are left out.
// Signatures, visibility, nullability, defaults and annotations are upstream's; bodies throw.
package com.google.ai.edge.litert

import android.content.res.AssetManager

data class TensorType
@JvmOverloads
constructor(val elementType: ElementType, val layout: Layout? = null) {

  enum class ElementType {
    INT,
    FLOAT,
    INT8,
    BOOLEAN,
    INT64,
  }

  /** Upstream: nested in [TensorType]; there is no top-level `Layout`. */
  data class Layout
  @JvmOverloads
  constructor(val dimensions: List<Int>, val strides: List<Int> = listOf()) {

    @JvmOverloads
    constructor(
      dimensions: IntArray,
      strides: IntArray = intArrayOf(),
    ) : this(dimensions.toList(), strides.toList())

    val rank: Int
      get() = TODO("stub")

    val hasStrides: Boolean
      get() = TODO("stub")
  }
}

/**
 * Upstream: final, private constructor. Every member throws [IllegalStateException] once closed. Closing a model
 * created without an environment also closes the environment it made.
 */
class CompiledModel
private constructor(
  handle: Long,
  private val env: Environment,
  private val envManaged: Boolean = false,
) : JniHandle(handle) {

  data class CpuOptions
  constructor(
    val numThreads: Int? = null,
    val xnnPackFlags: Int? = null,
    val xnnPackWeightCachePath: String? = null,
  )

  /** Upstream: 15 parameters, in this order, all nullable with `null` defaults. */
  data class GpuOptions
  constructor(
    val constantTensorSharing: Boolean? = null,
    val infiniteFloatCapping: Boolean? = null,
    val allowSrcQuantizedFcConvOps: Boolean? = null,
    val precision: Precision? = null,
    val bufferStorageType: BufferStorageType? = null,
    val preferTextureWeights: Boolean? = null,
    val serializationDir: String? = null,
    val modelCacheKey: String? = null,
    val serializeProgramCache: Boolean? = null,
    val serializeExternalTensors: Boolean? = null,
    val externalTensorsMode: Boolean? = null,
    val externalTensorPattern: String? = null,
    val backend: Backend? = null,
    val priority: Priority? = null,
    val numStepsOfCommandBufferPreparations: Int? = null,
  ) {
    enum class Precision constructor(val value: Int) {
      DEFAULT(0),
      FP16(1),
      FP32(2),
      FP16_WITH_FP32_ACCUM(3),
    }

    enum class BufferStorageType constructor(val value: Int) {
      DEFAULT(0),
      BUFFER(1),
      TEXTURE_2D(2),
    }

    enum class Backend constructor(val value: Int) {
      AUTOMATIC(0),
      OPENCL(1),
      @Deprecated("Use AUTOMATIC instead.") WEBGPU(2),
      OPENGL(3),
    }

    enum class Priority constructor(val value: Int) {
      DEFAULT(0),
      LOW(1),
      NORMAL(2),
      HIGH(3),
    }
  }

  data class QualcommOptions
  constructor(
    val logLevel: LogLevel? = null,
    @Deprecated("This option is deprecated and will be no-op.") val useHtpPreference: Boolean? = null,
    @Deprecated("This option is deprecated and will be no-op.") val useQint16AsQuint16: Boolean? = null,
    val enableWeightSharing: Boolean? = null,
    val dumpTensorIds: List<Int>? = null,
    val useConvHmx: Boolean? = null,
    val useFoldRelu: Boolean? = null,
    val htpPerformanceMode: HtpPerformanceMode? = null,
    val profiling: Profiling? = null,
    val irJsonDir: String? = null,
    val dlcDir: String? = null,
    val vtcmSize: Int? = null,
    val numHvxThreads: Int? = null,
    val optimizationLevel: OptimizationLevel? = null,
  ) {
    enum class LogLevel constructor(val value: Int) {
      OFF(0),
      ERROR(1),
      WARN(2),
      INFO(3),
      VERBOSE(4),
      DEBUG(5),
    }

    enum class HtpPerformanceMode constructor(val value: Int) {
      DEFAULT(0),
      SUSTAINED_HIGH_PERFORMANCE(1),
      BURST(2),
      HIGH_PERFORMANCE(3),
      POWER_SAVER(4),
      LOW_POWER_SAVER(5),
      HIGH_POWER_SAVER(6),
      LOW_BALANCED(7),
      BALANCED(8),
      EXTREME_POWER_SAVER(9),
    }

    enum class Profiling constructor(val value: Int) {
      OFF(0),
      BASIC(1),
      DETAILED(2),
      LINTING(3),
      OPTRACE(4),
    }

    enum class OptimizationLevel constructor(val value: Int) {
      HTP_OPTIMIZE_FOR_INFERENCE(0),
      HTP_OPTIMIZE_FOR_PREPARE(1),
      HTP_OPTIMIZE_FOR_INFERENCE_O3(2),
    }
  }

  /**
   * Upstream: a plain final class; [accelerators] is internal (callers cannot read it back). When NPU is the only
   * accelerator, `create` also adds CPU.
   */
  class Options constructor(internal val accelerators: Set<Accelerator>) {

    constructor(vararg accelerators: Accelerator) : this(setOf(*accelerators))

    var cpuOptions: CpuOptions? = null
    var gpuOptions: GpuOptions? = null
    var qualcommOptions: QualcommOptions? = null

    companion object {
      @JvmStatic val CPU = Options(Accelerator.CPU)
    }
  }

  @Throws(LiteRtException::class)
  fun createInputBuffer(inputName: String, signature: String = ""): TensorBuffer = TODO("stub")

  @Throws(LiteRtException::class)
  fun getInputBufferRequirements(inputName: String, signature: String = ""): TensorBufferRequirements =
    TODO("stub")

  @Throws(LiteRtException::class)
  fun createOutputBuffer(outputName: String, signature: String = ""): TensorBuffer = TODO("stub")

  @Throws(LiteRtException::class)
  fun getOutputBufferRequirements(outputName: String, signature: String = ""): TensorBufferRequirements =
    TODO("stub")

  @Throws(LiteRtException::class)
  @JvmOverloads
  fun createInputBuffers(signatureIndex: Int = 0): List<TensorBuffer> = TODO("stub")

  @Throws(LiteRtException::class) fun createInputBuffers(signature: String): List<TensorBuffer> = TODO("stub")

  @Throws(LiteRtException::class)
  @JvmOverloads
  fun createOutputBuffers(signatureIndex: Int = 0): List<TensorBuffer> = TODO("stub")

  @Throws(LiteRtException::class) fun createOutputBuffers(signature: String): List<TensorBuffer> = TODO("stub")

  @Throws(LiteRtException::class)
  @JvmOverloads
  fun run(inputs: List<TensorBuffer>, signatureIndex: Int = 0): List<TensorBuffer> = TODO("stub")

  @Throws(LiteRtException::class)
  fun run(inputs: List<TensorBuffer>, signature: String): List<TensorBuffer> = TODO("stub")

  @Throws(LiteRtException::class)
  @JvmOverloads
  fun run(inputs: List<TensorBuffer>, outputs: List<TensorBuffer>, signatureIndex: Int = 0): Unit = TODO("stub")

  @Throws(LiteRtException::class)
  fun run(inputs: List<TensorBuffer>, outputs: List<TensorBuffer>, signature: String): Unit = TODO("stub")

  @Throws(LiteRtException::class)
  fun run(
    inputs: Map<String, TensorBuffer>,
    outputs: Map<String, TensorBuffer>,
    signature: String = "",
  ): Unit = TODO("stub")

  /** Upstream: no @Throws (the native call can still throw LiteRtException). */
  fun getInputTensorType(inputName: String, signature: String = ""): TensorType = TODO("stub")

  /** Upstream: no @Throws (the native call can still throw LiteRtException). */
  fun getOutputTensorType(outputName: String, signature: String = ""): TensorType = TODO("stub")

  override fun destroy(): Unit = TODO("stub")

  companion object {
    /** Loads [assetName] from [assetManager]. Without [optionalEnv], an environment is made and owned. */
    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(
      assetManager: AssetManager,
      assetName: String,
      options: Options = Options.CPU,
      optionalEnv: Environment? = null,
    ): CompiledModel = TODO("stub")

    /** Loads the model file at [filePath]. Without [optionalEnv], an environment is made and owned. */
    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(
      filePath: String,
      options: Options = Options.CPU,
      optionalEnv: Environment? = null,
    ): CompiledModel = TODO("stub")
  }
}
