// COMPILE STUB (tests only, never shipped). ExecuTorch v1.4.1, mobile-apis.md §1 "Tensor".
package org.pytorch.executorch

import java.nio.ByteBuffer
import java.nio.DoubleBuffer
import java.nio.FloatBuffer
import java.nio.IntBuffer
import java.nio.LongBuffer
import java.nio.ShortBuffer
import org.pytorch.executorch.annotations.Experimental

/** Not subclassable outside the library (internal constructor), as upstream. */
@Experimental
abstract class Tensor internal constructor(shape: LongArray) {

  fun numel(): Long = TODO("stub")

  /** A fresh copy of the shape. */
  fun shape(): LongArray = TODO("stub")

  abstract fun dtype(): DType

  open val dataAsByteArray: ByteArray
    get() = TODO("stub")

  /** v1.3+: raw fp16 bits of a HALF tensor. */
  open val dataAsShortArray: ShortArray
    get() = TODO("stub")

  open val dataAsUnsignedByteArray: ByteArray
    get() = TODO("stub")

  open val dataAsIntArray: IntArray
    get() = TODO("stub")

  /** FLOAT; a HALF tensor widens to float. */
  open val dataAsFloatArray: FloatArray
    get() = TODO("stub")

  open val dataAsLongArray: LongArray
    get() = TODO("stub")

  open val dataAsDoubleArray: DoubleArray
    get() = TODO("stub")

  // v1.3+
  open fun copyDataInto(dst: FloatBuffer): Unit = TODO("stub")

  open fun copyDataInto(dst: IntBuffer): Unit = TODO("stub")

  open fun copyDataInto(dst: LongBuffer): Unit = TODO("stub")

  open fun copyDataInto(dst: DoubleBuffer): Unit = TODO("stub")

  open fun copyDataInto(dst: ByteBuffer): Unit = TODO("stub")

  open fun copyDataInto(dst: ShortBuffer): Unit = TODO("stub")

  fun toByteArray(): ByteArray = TODO("stub")

  companion object {
    @JvmStatic fun allocateByteBuffer(numElements: Int): ByteBuffer = TODO("stub")

    @JvmStatic fun allocateIntBuffer(numElements: Int): IntBuffer = TODO("stub")

    @JvmStatic fun allocateFloatBuffer(numElements: Int): FloatBuffer = TODO("stub")

    @JvmStatic fun allocateLongBuffer(numElements: Int): LongBuffer = TODO("stub")

    @JvmStatic fun allocateHalfBuffer(numElements: Int): ShortBuffer = TODO("stub")

    @JvmStatic fun allocateDoubleBuffer(numElements: Int): DoubleBuffer = TODO("stub")

    // fromBlob(array) copies the data.
    /** UINT8. */
    @JvmStatic fun fromBlobUnsigned(data: ByteArray, shape: LongArray): Tensor = TODO("stub")

    /** INT8. */
    @JvmStatic fun fromBlob(data: ByteArray, shape: LongArray): Tensor = TODO("stub")

    @JvmStatic fun fromBlob(data: IntArray, shape: LongArray): Tensor = TODO("stub")

    @JvmStatic fun fromBlob(data: FloatArray, shape: LongArray): Tensor = TODO("stub")

    /** HALF bits, v1.3+. */
    @JvmStatic fun fromBlob(data: ShortArray, shape: LongArray): Tensor = TODO("stub")

    @JvmStatic fun fromBlob(data: LongArray, shape: LongArray): Tensor = TODO("stub")

    @JvmStatic fun fromBlob(data: DoubleArray, shape: LongArray): Tensor = TODO("stub")

    // fromBlob(buffer): direct, native-order buffer with capacity == numel, else IllegalArgumentException.
    @JvmStatic fun fromBlobUnsigned(data: ByteBuffer, shape: LongArray): Tensor = TODO("stub")

    @JvmStatic fun fromBlob(data: ByteBuffer, shape: LongArray): Tensor = TODO("stub")

    @JvmStatic fun fromBlob(data: IntBuffer, shape: LongArray): Tensor = TODO("stub")

    @JvmStatic fun fromBlob(data: FloatBuffer, shape: LongArray): Tensor = TODO("stub")

    @JvmStatic fun fromBlob(data: ShortBuffer, shape: LongArray): Tensor = TODO("stub")

    @JvmStatic fun fromBlob(data: LongBuffer, shape: LongArray): Tensor = TODO("stub")

    @JvmStatic fun fromBlob(data: DoubleBuffer, shape: LongArray): Tensor = TODO("stub")

    @JvmStatic fun ones(shape: LongArray, dtype: DType): Tensor = TODO("stub")

    @JvmStatic fun zeros(shape: LongArray, dtype: DType): Tensor = TODO("stub")

    @JvmStatic fun numel(shape: LongArray): Long = TODO("stub")

    @JvmStatic fun fromByteArray(bytes: ByteArray): Tensor = TODO("stub")
  }
}
