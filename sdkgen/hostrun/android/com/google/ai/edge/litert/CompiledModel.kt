// HOST STAND-IN (sdkgen host runs, never shipped in an SDK): the compile stub of the same name
// (tests/stubs/android/com/google/ai/edge/litert) with bodies: the model runs in LiteRT's own interpreter
// (XNNPACK on the CPU) through sdkgen.hostrun.Bridge. create(assetManager, ...) reads the asset whole, as
// the JNI does; create(filePath, ...) opens the file.
// Follows google-ai-edge/LiteRT v2.2.0 (145c7523ff08) litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/Model.kt
// (TensorType and CompiledModel; same on `main` f67457790c9c). The file keeps its old stub name. There is no `Model`
// class and no `create(Model, ...)` since 2.1. The internal option keys and `toMap()` helpers are left out.
// Signatures, visibility, nullability, defaults and annotations are upstream's; bodies throw.
package com.google.ai.edge.litert

import sdkgen.hostrun.Bridge

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
      get() = dimensions.size

    val hasStrides: Boolean
      get() = strides.isNotEmpty()
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
  fun createInputBuffer(inputName: String, signature: String = ""): TensorBuffer =
    buffer(tensor(inputName, signature, true))

  @Throws(LiteRtException::class)
  fun getInputBufferRequirements(inputName: String, signature: String = ""): TensorBufferRequirements =
    requirements(tensor(inputName, signature, true))

  @Throws(LiteRtException::class)
  fun createOutputBuffer(outputName: String, signature: String = ""): TensorBuffer =
    buffer(tensor(outputName, signature, false))

  @Throws(LiteRtException::class)
  fun getOutputBufferRequirements(outputName: String, signature: String = ""): TensorBufferRequirements =
    requirements(tensor(outputName, signature, false))

  @Throws(LiteRtException::class)
  @JvmOverloads
  fun createInputBuffers(signatureIndex: Int = 0): List<TensorBuffer> =
    signatureKey(signatureIndex).let { sig -> names(sig).first.map { createInputBuffer(it, sig) } }

  @Throws(LiteRtException::class) fun createInputBuffers(signature: String): List<TensorBuffer> =
    names(signature).first.map { createInputBuffer(it, signature) }

  @Throws(LiteRtException::class)
  @JvmOverloads
  fun createOutputBuffers(signatureIndex: Int = 0): List<TensorBuffer> =
    signatureKey(signatureIndex).let { sig -> names(sig).second.map { createOutputBuffer(it, sig) } }

  @Throws(LiteRtException::class) fun createOutputBuffers(signature: String): List<TensorBuffer> =
    names(signature).second.map { createOutputBuffer(it, signature) }

  @Throws(LiteRtException::class)
  @JvmOverloads
  fun run(inputs: List<TensorBuffer>, signatureIndex: Int = 0): List<TensorBuffer> =
    run(inputs, signatureKey(signatureIndex))

  @Throws(LiteRtException::class)
  fun run(inputs: List<TensorBuffer>, signature: String): List<TensorBuffer> =
    createOutputBuffers(signature).also { run(inputs, it, signature) }

  @Throws(LiteRtException::class)
  @JvmOverloads
  fun run(inputs: List<TensorBuffer>, outputs: List<TensorBuffer>, signatureIndex: Int = 0): Unit =
    run(inputs, outputs, signatureKey(signatureIndex))

  @Throws(LiteRtException::class)
  fun run(inputs: List<TensorBuffer>, outputs: List<TensorBuffer>, signature: String) {
    val (inNames, outNames) = names(signature)
    if (inputs.size != inNames.size || outputs.size != outNames.size) {
      throw LiteRtException(Status.ErrorInvalidArgument, "Input or output buffer count does not match the signature")
    }
    run(inNames.zip(inputs).toMap(), outNames.zip(outputs).toMap(), signature)
  }

  @Throws(LiteRtException::class)
  fun run(
    inputs: Map<String, TensorBuffer>,
    outputs: Map<String, TensorBuffer>,
    signature: String = "",
  ) {
    assertNotDestroyed()
    val reply = Bridge.call { f ->
      f.byte(22).int(handle.toInt()).string(signature).int(inputs.size)
      for ((name, buffer) in inputs) {
        val host = HostBuffers.get(buffer.handle)
        f.string(name).int(host.dtypeCode).int(host.dims.size)
        host.dims.forEach { f.long(it.toLong()) }
        val raw = ByteArray(host.bytes.capacity())
        host.bytes.duplicate().also { it.rewind() }.get(raw)
        f.int(raw.size).bytes(raw)
      }
    }
    raise(reply)
    val produced = HashMap<String, ByteArray>()
    repeat(reply.body.int) {
      val name = Bridge.readString(reply.body)
      reply.body.get() // EValue tag: a tensor
      reply.body.int // dtype code
      repeat(reply.body.int) { reply.body.long }
      produced[name] = ByteArray(reply.body.int).also { reply.body.get(it) }
    }
    for ((name, buffer) in outputs) {
      val data = produced[name] ?: throw LiteRtException(Status.ErrorNotFound, "Output $name not found")
      val target = HostBuffers.get(buffer.handle).bytes
      if (data.size > target.capacity()) {
        throw LiteRtException(Status.ErrorRuntimeFailure, "Output $name does not fit its buffer")
      }
      target.duplicate().also { it.rewind() }.put(data)
    }
  }

  /** Upstream: no @Throws (the native call can still throw LiteRtException). */
  fun getInputTensorType(inputName: String, signature: String = ""): TensorType = tensor(inputName, signature, true).type

  /** Upstream: no @Throws (the native call can still throw LiteRtException). */
  fun getOutputTensorType(outputName: String, signature: String = ""): TensorType = tensor(outputName, signature, false).type

  override fun destroy() {
    Bridge.call { it.byte(23).int(handle.toInt()) }
    temporaryFile?.delete()
  }

  // Host: the model file a create(assetManager, ...) wrote, deleted with the model.
  private var temporaryFile: java.io.File? = null

  private class HostTensor(val type: TensorType, val dtypeCode: Int, val dims: List<Int>)

  private fun tensor(name: String, signature: String, input: Boolean): HostTensor {
    assertNotDestroyed()
    val reply = Bridge.call { it.byte(21).int(handle.toInt()).string(signature).string(name).byte(if (input) 1 else 0) }
    raise(reply)
    val code = reply.body.int
    val dims = List(reply.body.int) { reply.body.int }
    val element = when (code) {
      3 -> TensorType.ElementType.INT
      6 -> TensorType.ElementType.FLOAT
      1 -> TensorType.ElementType.INT8
      11 -> TensorType.ElementType.BOOLEAN
      4 -> TensorType.ElementType.INT64
      else -> throw LiteRtException(Status.ErrorUnsupported, "Unsupported element type code $code")
    }
    return HostTensor(TensorType(element, TensorType.Layout(dims)), code, dims)
  }

  private fun buffer(t: HostTensor): TensorBuffer = TensorBuffer(HostBuffers.allocate(t.dtypeCode, t.dims))

  private fun requirements(t: HostTensor): TensorBufferRequirements =
    TensorBufferRequirements(listOf(TensorBufferType.HostMemory), HostBuffers.byteSize(t.dtypeCode, t.dims), listOf())

  private fun signatureKey(index: Int): String {
    val reply = Bridge.call { it.byte(24).int(handle.toInt()).int(index) }
    raise(reply)
    return Bridge.readString(reply.body)
  }

  private fun names(signature: String): Pair<List<String>, List<String>> {
    val reply = Bridge.call { it.byte(25).int(handle.toInt()).string(signature) }
    raise(reply)
    val inputs = List(reply.body.int) { Bridge.readString(reply.body) }
    val outputs = List(reply.body.int) { Bridge.readString(reply.body) }
    return inputs to outputs
  }

  companion object {
    private fun raise(reply: Bridge.Reply) {
      if (reply.status != 0) throw LiteRtException(reply.status, reply.message)
    }

    private fun open(path: String): CompiledModel {
      val reply = Bridge.call { it.byte(20).string(path) }
      raise(reply)
      return CompiledModel(reply.body.int.toLong(), Environment.create(), envManaged = true)
    }

    /** Loads [assetName] from [assetManager]. Without [optionalEnv], an environment is made and owned. */
    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(
      assetManager: AssetManager,
      assetName: String,
      options: Options = Options.CPU,
      optionalEnv: Environment? = null,
    ): CompiledModel {
      val temp = java.io.File.createTempFile("litert", ".tflite")
      try {
        assetManager.open(assetName).use { input -> temp.outputStream().use { input.copyTo(it) } }
      } catch (e: java.io.IOException) {
        temp.delete()
        throw LiteRtException(Status.ErrorFileIO, "Failed to read asset $assetName: ${e.message}")
      }
      return open(temp.path).also { it.temporaryFile = temp }
    }

    /** Loads the model file at [filePath]. Without [optionalEnv], an environment is made and owned. */
    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(
      filePath: String,
      options: Options = Options.CPU,
      optionalEnv: Environment? = null,
    ): CompiledModel = open(filePath)
  }
}
