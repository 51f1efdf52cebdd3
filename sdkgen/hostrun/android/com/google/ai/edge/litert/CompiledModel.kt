// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). The public API of upstream CompiledModel.kt as
// the compile stubs declare it; the model runs in LiteRT's own interpreter (XNNPACK on the CPU) through
// sdkgen.hostrun.Bridge. create(assetManager, ...) reads the asset whole, as the JNI does; create(filePath)
// opens the file. Errors are LiteRtException; use after close() is an IllegalStateException.
package com.google.ai.edge.litert

import android.content.res.AssetManager
import java.io.File
import java.io.IOException
import java.nio.ByteBuffer
import sdkgen.hostrun.Bridge

class CompiledModel private constructor(private val handle: Int, private val temp: File?) : JniHandle() {
  class Options(val accelerators: Set<Accelerator>) {
    constructor(vararg accelerators: Accelerator) : this(accelerators.toSet())

    var cpuOptions: CpuOptions? = null
    var gpuOptions: GpuOptions? = null

    companion object {
      @JvmStatic val CPU: Options get() = Options(Accelerator.CPU)
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

  private fun info(name: String, signature: String, input: Boolean): TensorBuffer {
    assertNotDestroyed()
    val reply = Bridge.call { it.byte(21).int(handle).string(signature).string(name).byte(if (input) 1 else 0) }
    raise(reply)
    val code = reply.body.int
    val dims = List(reply.body.int) { reply.body.int }
    val element = when (code) {
      3 -> TensorType.ElementType.INT
      6 -> TensorType.ElementType.FLOAT
      1 -> TensorType.ElementType.INT8
      11 -> TensorType.ElementType.BOOLEAN
      4 -> TensorType.ElementType.INT64
      else -> throw LiteRtException(Status.ErrorUnsupported, "element type code $code")
    }
    return TensorBuffer(TensorType(element, Layout(dims)), code)
  }

  @Throws(LiteRtException::class) @JvmOverloads
  fun createInputBuffers(signatureIndex: Int = 0): List<TensorBuffer> =
      throw LiteRtException(Status.ErrorUnsupported, "not in the host stand-in: createInputBuffers by index")

  @Throws(LiteRtException::class)
  fun createInputBuffers(signature: String): List<TensorBuffer> =
      throw LiteRtException(Status.ErrorUnsupported, "not in the host stand-in: createInputBuffers(signature)")

  @Throws(LiteRtException::class) @JvmOverloads
  fun createOutputBuffers(signatureIndex: Int = 0): List<TensorBuffer> =
      throw LiteRtException(Status.ErrorUnsupported, "not in the host stand-in: createOutputBuffers by index")

  @Throws(LiteRtException::class)
  fun createOutputBuffers(signature: String): List<TensorBuffer> =
      throw LiteRtException(Status.ErrorUnsupported, "not in the host stand-in: createOutputBuffers(signature)")

  @Throws(LiteRtException::class)
  fun createInputBuffer(inputName: String, signature: String = ""): TensorBuffer = info(inputName, signature, true)

  @Throws(LiteRtException::class)
  fun createOutputBuffer(outputName: String, signature: String = ""): TensorBuffer = info(outputName, signature, false)

  @Throws(LiteRtException::class) @JvmOverloads
  fun run(inputs: List<TensorBuffer>, signatureIndex: Int = 0): List<TensorBuffer> =
      throw LiteRtException(Status.ErrorUnsupported, "not in the host stand-in: run by position")

  @Throws(LiteRtException::class)
  fun run(inputs: List<TensorBuffer>, signature: String): List<TensorBuffer> =
      throw LiteRtException(Status.ErrorUnsupported, "not in the host stand-in: run by position")

  @Throws(LiteRtException::class) @JvmOverloads
  fun run(inputs: List<TensorBuffer>, outputs: List<TensorBuffer>, signatureIndex: Int = 0): Unit =
      throw LiteRtException(Status.ErrorUnsupported, "not in the host stand-in: run by position")

  @Throws(LiteRtException::class)
  fun run(inputs: Map<String, TensorBuffer>, outputs: Map<String, TensorBuffer>, signature: String = "") {
    assertNotDestroyed()
    val reply = Bridge.call { f ->
      f.byte(22).int(handle).string(signature).int(inputs.size)
      for ((name, buffer) in inputs) {
        buffer.assertNotDestroyed()
        val dims = buffer.type.layout?.dimensions ?: listOf()
        f.string(name).int(buffer.dtypeCode).int(dims.size)
        dims.forEach { f.long(it.toLong()) }
        val raw = ByteArray(buffer.bytes.capacity())
        buffer.bytes.duplicate().also { it.rewind() }.get(raw)
        f.int(raw.size).bytes(raw)
      }
    }
    raise(reply)
    val produced = HashMap<String, ByteArray>()
    repeat(reply.body.int) {
      val name = Bridge.readString(reply.body)
      produced[name] = readTensorBytes(reply.body)
    }
    for ((name, buffer) in outputs) {
      val data = produced[name] ?: throw LiteRtException(Status.ErrorInvalidArgument, "no output named $name")
      if (data.size != buffer.bytes.capacity()) {
        throw LiteRtException(Status.ErrorRuntimeFailure, "output $name has " + data.size + " bytes, its buffer " + buffer.bytes.capacity())
      }
      buffer.bytes.duplicate().also { it.rewind() }.put(data)
    }
  }

  @Throws(LiteRtException::class)
  fun getInputTensorType(inputName: String, signature: String = ""): TensorType = info(inputName, signature, true).type

  @Throws(LiteRtException::class)
  fun getOutputTensorType(outputName: String, signature: String = ""): TensorType = info(outputName, signature, false).type

  override fun destroy() {
    Bridge.call { it.byte(23).int(handle) }
    temp?.delete()
  }

  companion object {
    private fun raise(reply: Bridge.Reply) {
      if (reply.status != 0) {
        val status = if (reply.status == 0x12) Status.ErrorInvalidArgument else Status.ErrorRuntimeFailure
        throw LiteRtException(status, reply.message)
      }
    }

    private fun readTensorBytes(b: ByteBuffer): ByteArray {
      b.get() // EValue tag: a tensor
      b.int // dtype
      repeat(b.int) { b.long }
      return ByteArray(b.int).also { b.get(it) }
    }

    private fun open(path: String, temp: File?): CompiledModel {
      val reply = Bridge.call { it.byte(20).string(path) }
      raise(reply)
      return CompiledModel(reply.body.int, temp)
    }

    @Throws(LiteRtException::class) @JvmOverloads @JvmStatic
    fun create(
        assetManager: AssetManager,
        assetName: String,
        options: Options = Options.CPU,
        optionalEnv: Environment? = null,
    ): CompiledModel {
      val temp = File.createTempFile("litert", ".tflite")
      try {
        assetManager.open(assetName).use { input -> temp.outputStream().use { input.copyTo(it) } }
      } catch (e: IOException) {
        temp.delete()
        throw LiteRtException(Status.ErrorInvalidArgument, "Failed to read asset $assetName: ${e.message}")
      }
      return open(temp.path, temp)
    }

    @Throws(LiteRtException::class) @JvmOverloads @JvmStatic
    fun create(filePath: String, options: Options = Options.CPU, optionalEnv: Environment? = null): CompiledModel =
        open(filePath, null)
  }
}
