// COMPILE STUB (tests only, never shipped).
// Follows google-ai-edge/LiteRT v2.2.0 (145c7523ff08)
// litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/TensorBuffer.kt (same on `main` f67457790c9c).
// Signatures, visibility, nullability and defaults are upstream's; bodies throw.
package com.google.ai.edge.litert

/**
 * Upstream: no public constructor (buffers come from [CompiledModel]). Every read/write throws
 * [IllegalStateException] once closed and [LiteRtException] when the native call fails.
 */
class TensorBuffer internal constructor(handle: Long) : JniHandle(handle) {
  @Throws(LiteRtException::class) fun writeInt(data: IntArray): Unit = TODO("stub")

  @Throws(LiteRtException::class) fun writeFloat(data: FloatArray): Unit = TODO("stub")

  @Throws(LiteRtException::class) fun writeInt8(data: ByteArray): Unit = TODO("stub")

  @Throws(LiteRtException::class) fun writeBoolean(data: BooleanArray): Unit = TODO("stub")

  @Throws(LiteRtException::class) fun writeLong(data: LongArray): Unit = TODO("stub")

  @Throws(LiteRtException::class) fun readInt(): IntArray = TODO("stub")

  @Throws(LiteRtException::class) fun readFloat(): FloatArray = TODO("stub")

  @Throws(LiteRtException::class) fun readInt8(): ByteArray = TODO("stub")

  @Throws(LiteRtException::class) fun readBoolean(): BooleanArray = TODO("stub")

  @Throws(LiteRtException::class) fun readLong(): LongArray = TODO("stub")

  protected override fun destroy(): Unit = TODO("stub")
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
    fun of(type: Int): TensorBufferType = TODO("stub")
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
