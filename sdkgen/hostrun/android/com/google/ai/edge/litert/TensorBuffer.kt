// HOST STAND-IN (sdkgen host runs, never shipped in an SDK): the compile stub of the same name
// (tests/stubs/android/com/google/ai/edge/litert) with bodies; the models run through sdkgen.hostrun.Bridge.
// Follows google-ai-edge/LiteRT v2.2.0 (145c7523ff08)
// litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/TensorBuffer.kt (same on `main` f67457790c9c).
// Signatures, visibility, nullability and defaults are upstream's.
package com.google.ai.edge.litert

/**
 * Upstream: no public constructor (buffers come from [CompiledModel]). Every read/write throws
 * [IllegalStateException] once closed and [LiteRtException] when the native call fails.
 */
class TensorBuffer internal constructor(handle: Long) : JniHandle(handle) {
  // Host: the buffer's bytes live in HostBuffers under the handle. As in LiteRT's JNI
  // (litert/kotlin/src/main/jni/litert_tensor_buffer_jni.cc over litert/cc/litert_tensor_buffer.h), a write
  // copies the array's bytes to the start without looking at the element type and fails when they do not fit;
  // a read returns the tensor's element count of the requested type.
  private val host: HostBuffers.Buffer
    get() = HostBuffers.get(handle)

  private fun write(size: Int, put: (java.nio.ByteBuffer) -> Unit) {
    assertNotDestroyed()
    val b = host.bytes
    if (b.capacity() < size) {
      throw LiteRtException(
          Status.ErrorRuntimeFailure,
          "TensorBuffer host memory buffer size is smaller than the given data size, " + b.capacity() + " vs " + size)
    }
    put(b.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).also { it.rewind() })
  }

  private fun <T> read(elementBytes: Int, get: (java.nio.ByteBuffer, Int) -> T): T {
    assertNotDestroyed()
    val b = host
    if (b.elements * elementBytes > b.bytes.capacity()) {
      throw LiteRtException(Status.ErrorRuntimeFailure, "reading past the end of the tensor buffer")
    }
    return get(b.bytes.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).also { it.rewind() }, b.elements)
  }

  @Throws(LiteRtException::class) fun writeInt(data: IntArray): Unit = write(data.size * 4) { it.asIntBuffer().put(data) }

  @Throws(LiteRtException::class) fun writeFloat(data: FloatArray): Unit = write(data.size * 4) { it.asFloatBuffer().put(data) }

  @Throws(LiteRtException::class) fun writeInt8(data: ByteArray): Unit = write(data.size) { it.put(data) }

  @Throws(LiteRtException::class) fun writeBoolean(data: BooleanArray): Unit =
      write(data.size) { b -> data.forEach { b.put(if (it) 1.toByte() else 0.toByte()) } }

  @Throws(LiteRtException::class) fun writeLong(data: LongArray): Unit = write(data.size * 8) { it.asLongBuffer().put(data) }

  @Throws(LiteRtException::class) fun readInt(): IntArray = read(4) { b, n -> IntArray(n).also { b.asIntBuffer().get(it) } }

  @Throws(LiteRtException::class) fun readFloat(): FloatArray = read(4) { b, n -> FloatArray(n).also { b.asFloatBuffer().get(it) } }

  @Throws(LiteRtException::class) fun readInt8(): ByteArray = read(1) { b, n -> ByteArray(n).also { b.get(it) } }

  @Throws(LiteRtException::class) fun readBoolean(): BooleanArray = read(1) { b, n -> BooleanArray(n) { b.get().toInt() != 0 } }

  @Throws(LiteRtException::class) fun readLong(): LongArray = read(8) { b, n -> LongArray(n).also { b.asLongBuffer().get(it) } }

  protected override fun destroy() {
    HostBuffers.free(handle)
  }
}

/** Upstream: [type] is private; [of] maps an unknown code to [Unknown]. Metal values are commented out upstream. */
enum class TensorBufferType(private val type: Int) {
  Unknown(0),
  HostMemory(1),
  Ahwb(2),
  Ion(3),
  DmaBuf(4),
  FastRpc(5),
  GlBuffer(6),
  GlTexture(7),
  OpenClBuffer(10),
  OpenClBufferFp16(11),
  OpenClTexture(12),
  OpenClTextureFp16(13),
  OpenClBufferPacked(14),
  OpenClImageBuffer(15),
  OpenClImageBufferFp16(16),
  WebGpuBuffer(20),
  WebGpuBufferFp16(21),
  WebGpuTexture(22),
  WebGpuTextureFp16(23),
  WebGpuImageBuffer(24),
  WebGpuImageBufferFp16(25),
  WebGpuBufferPacked(26),
  VulkanBuffer(40),
  VulkanBufferFp16(41),
  VulkanTexture(42),
  VulkanTextureFp16(43),
  VulkanImageBuffer(44),
  VulkanImageBufferFp16(45),
  VulkanBufferPacked(46);

  companion object {
    fun of(type: Int): TensorBufferType = values().first { it.type == type }
  }
}

data class TensorBufferRequirements
constructor(
  val supportedTypes: List<TensorBufferType>,
  val bufferSize: Int,
  val strides: List<Int>,
) {
  constructor(
    supportedTypes: IntArray,
    bufferSize: Int,
    strides: IntArray,
  ) : this(supportedTypes.map { TensorBufferType.of(it) }, bufferSize, strides.toList())
}
