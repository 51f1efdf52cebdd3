// Compile stub of LiteRT 2.2.0 TensorBuffer (no public constructor). Never shipped.
package com.google.ai.edge.litert

class TensorBuffer internal constructor(private val handle: Long) : JniHandle() {
  @Throws(LiteRtException::class) fun writeFloat(data: FloatArray): Unit = TODO("stub")
  @Throws(LiteRtException::class) fun writeInt(data: IntArray): Unit = TODO("stub")
  @Throws(LiteRtException::class) fun writeInt8(data: ByteArray): Unit = TODO("stub")
  @Throws(LiteRtException::class) fun writeBoolean(data: BooleanArray): Unit = TODO("stub")
  @Throws(LiteRtException::class) fun writeLong(data: LongArray): Unit = TODO("stub")
  @Throws(LiteRtException::class) fun readFloat(): FloatArray = TODO("stub")
  @Throws(LiteRtException::class) fun readInt(): IntArray = TODO("stub")
  @Throws(LiteRtException::class) fun readInt8(): ByteArray = TODO("stub")
  @Throws(LiteRtException::class) fun readBoolean(): BooleanArray = TODO("stub")
  @Throws(LiteRtException::class) fun readLong(): LongArray = TODO("stub")
}
