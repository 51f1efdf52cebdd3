// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). Upstream TensorBuffer.kt and its JNI
// (litert/kotlin/src/main/jni/litert_tensor_buffer_jni.cc over litert/cc/litert_tensor_buffer.h, v2.2.0):
// write<T> copies the array's bytes to the start of the buffer without looking at the element type and fails
// (ErrorRuntimeFailure) when they do not fit; read<T> returns the tensor's element count of T read from the
// bytes. Use after close() is an IllegalStateException.
package com.google.ai.edge.litert

import java.nio.ByteBuffer
import java.nio.ByteOrder

class TensorBuffer internal constructor(internal val type: TensorType, internal val dtypeCode: Int) : JniHandle() {
  internal val elements: Int = (type.layout?.dimensions ?: listOf()).fold(1) { a, d -> a * d }
  internal val bytes: ByteBuffer = ByteBuffer.allocate(elements * elementSize(dtypeCode)).order(ByteOrder.LITTLE_ENDIAN)

  private fun write(size: Int, put: (ByteBuffer) -> Unit) {
    assertNotDestroyed()
    if (bytes.capacity() < size) {
      throw LiteRtException(
          Status.ErrorRuntimeFailure,
          "TensorBuffer host memory buffer size is smaller than the given data size, " + bytes.capacity() + " vs " + size)
    }
    val b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN)
    b.rewind()
    put(b)
  }

  private fun <T> read(size: Int, get: (ByteBuffer) -> T): T {
    assertNotDestroyed()
    if (elements * size > bytes.capacity()) {
      throw LiteRtException(Status.ErrorRuntimeFailure, "reading past the tensor buffer (host stand-in)")
    }
    val b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN)
    b.rewind()
    return get(b)
  }

  @Throws(LiteRtException::class) fun writeInt(data: IntArray) = write(data.size * 4) { it.asIntBuffer().put(data) }
  @Throws(LiteRtException::class) fun writeFloat(data: FloatArray) = write(data.size * 4) { it.asFloatBuffer().put(data) }
  @Throws(LiteRtException::class) fun writeInt8(data: ByteArray) = write(data.size) { it.put(data) }
  @Throws(LiteRtException::class)
  fun writeBoolean(data: BooleanArray) = write(data.size) { b -> data.forEach { b.put(if (it) 1 else 0) } }
  @Throws(LiteRtException::class) fun writeLong(data: LongArray) = write(data.size * 8) { it.asLongBuffer().put(data) }

  @Throws(LiteRtException::class) fun readInt(): IntArray = read(4) { b -> IntArray(elements).also { b.asIntBuffer().get(it) } }
  @Throws(LiteRtException::class)
  fun readFloat(): FloatArray = read(4) { b -> FloatArray(elements).also { b.asFloatBuffer().get(it) } }
  @Throws(LiteRtException::class) fun readInt8(): ByteArray = read(1) { b -> ByteArray(elements).also { b.get(it) } }
  @Throws(LiteRtException::class)
  fun readBoolean(): BooleanArray = read(1) { b -> BooleanArray(elements) { b.get().toInt() != 0 } }
  @Throws(LiteRtException::class) fun readLong(): LongArray = read(8) { b -> LongArray(elements).also { b.asLongBuffer().get(it) } }

  internal companion object {
    fun elementSize(code: Int): Int = when (code) {
      0, 1, 11 -> 1
      2, 5 -> 2
      3, 6 -> 4
      else -> 8
    }
  }
}
