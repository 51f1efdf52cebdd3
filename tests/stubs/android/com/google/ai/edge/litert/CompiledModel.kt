// Compile stub of LiteRT 2.2.0 CompiledModel (Model and create(Model, ...) were removed in 2.1). Never shipped.
package com.google.ai.edge.litert

import android.content.res.AssetManager

class CompiledModel private constructor(private val handle: Long) : JniHandle() {
  class Options(val accelerators: Set<Accelerator>) {
    constructor(vararg accelerators: Accelerator) : this(accelerators.toSet())
    var cpuOptions: CpuOptions? = null
    var gpuOptions: GpuOptions? = null

    companion object {
      @JvmStatic val CPU: Options get() = TODO("stub")
    }
  }

  data class CpuOptions(val numThreads: Int? = null, val xnnPackFlags: Int? = null, val xnnPackWeightCachePath: String? = null)

  data class GpuOptions(
    val precision: Precision? = null,
    val backend: Backend? = null,
    val serializationDir: String? = null,
    val modelCacheKey: String? = null,
  ) {
    enum class Precision { DEFAULT, FP16, FP32, FP16_WITH_FP32_ACCUM }
    enum class Backend { AUTOMATIC, OPENCL, WEBGPU, OPENGL }
  }

  @Throws(LiteRtException::class) @JvmOverloads
  fun createInputBuffers(signatureIndex: Int = 0): List<TensorBuffer> = TODO("stub")
  @Throws(LiteRtException::class) fun createInputBuffers(signature: String): List<TensorBuffer> = TODO("stub")
  @Throws(LiteRtException::class) @JvmOverloads
  fun createOutputBuffers(signatureIndex: Int = 0): List<TensorBuffer> = TODO("stub")
  @Throws(LiteRtException::class) fun createOutputBuffers(signature: String): List<TensorBuffer> = TODO("stub")
  @Throws(LiteRtException::class)
  fun createInputBuffer(inputName: String, signature: String = ""): TensorBuffer = TODO("stub")
  @Throws(LiteRtException::class)
  fun createOutputBuffer(outputName: String, signature: String = ""): TensorBuffer = TODO("stub")
  @Throws(LiteRtException::class) @JvmOverloads
  fun run(inputs: List<TensorBuffer>, signatureIndex: Int = 0): List<TensorBuffer> = TODO("stub")
  @Throws(LiteRtException::class) fun run(inputs: List<TensorBuffer>, signature: String): List<TensorBuffer> = TODO("stub")
  @Throws(LiteRtException::class) @JvmOverloads
  fun run(inputs: List<TensorBuffer>, outputs: List<TensorBuffer>, signatureIndex: Int = 0): Unit = TODO("stub")
  @Throws(LiteRtException::class)
  fun run(inputs: Map<String, TensorBuffer>, outputs: Map<String, TensorBuffer>, signature: String = ""): Unit = TODO("stub")
  @Throws(LiteRtException::class)
  fun getInputTensorType(inputName: String, signature: String = ""): TensorType = TODO("stub")
  @Throws(LiteRtException::class)
  fun getOutputTensorType(outputName: String, signature: String = ""): TensorType = TODO("stub")

  companion object {
    @Throws(LiteRtException::class) @JvmOverloads @JvmStatic
    fun create(
      assetManager: AssetManager,
      assetName: String,
      options: Options = Options.CPU,
      optionalEnv: Environment? = null,
    ): CompiledModel = TODO("stub")

    @Throws(LiteRtException::class) @JvmOverloads @JvmStatic
    fun create(filePath: String, options: Options = Options.CPU, optionalEnv: Environment? = null): CompiledModel =
      TODO("stub")
  }
}
