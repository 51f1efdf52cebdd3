// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). Public API as upstream v1.4.1
// extension/android/executorch_android/src/main/java/org/pytorch/executorch/Tensor.kt: fromBlob(array)
// copies, fromBlob(buffer) needs a direct native-order buffer of exactly numel elements, a shape that
// does not match the data is an IllegalArgumentException, a wrong-dtype accessor an IllegalStateException,
// and a HALF tensor widens through dataAsFloatArray. The data is held little-endian, as on a phone.
package org.pytorch.executorch

import java.nio.Buffer
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.DoubleBuffer
import java.nio.FloatBuffer
import java.nio.IntBuffer
import java.nio.LongBuffer
import java.nio.ShortBuffer
import org.pytorch.executorch.annotations.Experimental

@Experimental
abstract class Tensor internal constructor(shape: LongArray) {
  private val shapeCopy: LongArray = shape.copyOf()

  fun numel(): Long = numel(shapeCopy)

  fun shape(): LongArray = shapeCopy.copyOf()

  abstract fun dtype(): DType

  internal abstract val bytes: ByteBuffer

  private fun wrong(what: String): Nothing =
      throw IllegalStateException("Tensor of type " + dtype() + " cannot return data as " + what)

  private fun view(): ByteBuffer = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).also { it.rewind() }

  open val dataAsByteArray: ByteArray
    get() = if (dtype() == DType.INT8) ByteArray(numel().toInt()).also { view().get(it) } else wrong("byte array")

  open val dataAsShortArray: ShortArray
    get() = if (dtype() == DType.HALF || dtype() == DType.INT16) {
      ShortArray(numel().toInt()).also { view().asShortBuffer().get(it) }
    } else wrong("short array")

  open val dataAsUnsignedByteArray: ByteArray
    get() = if (dtype() == DType.UINT8) ByteArray(numel().toInt()).also { view().get(it) } else wrong("unsigned byte array")

  open val dataAsIntArray: IntArray
    get() = if (dtype() == DType.INT32) IntArray(numel().toInt()).also { view().asIntBuffer().get(it) } else wrong("int array")

  open val dataAsFloatArray: FloatArray
    get() = when (dtype()) {
      DType.FLOAT -> FloatArray(numel().toInt()).also { view().asFloatBuffer().get(it) }
      DType.HALF -> dataAsShortArray.let { h -> FloatArray(h.size) { halfToFloat(h[it]) } }
      else -> wrong("float array")
    }

  open val dataAsLongArray: LongArray
    get() = if (dtype() == DType.INT64) LongArray(numel().toInt()).also { view().asLongBuffer().get(it) } else wrong("long array")

  open val dataAsDoubleArray: DoubleArray
    get() = if (dtype() == DType.DOUBLE) DoubleArray(numel().toInt()).also { view().asDoubleBuffer().get(it) } else wrong("double array")

  open fun copyDataInto(dst: FloatBuffer) { dst.put(dataAsFloatArray) }
  open fun copyDataInto(dst: IntBuffer) { dst.put(dataAsIntArray) }
  open fun copyDataInto(dst: LongBuffer) { dst.put(dataAsLongArray) }
  open fun copyDataInto(dst: DoubleBuffer) { dst.put(dataAsDoubleArray) }
  open fun copyDataInto(dst: ByteBuffer) { dst.put(view()) }
  open fun copyDataInto(dst: ShortBuffer) { dst.put(dataAsShortArray) }

  /** Serialises dtype, shape and data (the host stand-in's own layout; [fromByteArray] reads it back). */
  fun toByteArray(): ByteArray {
    val data = view()
    val out = ByteBuffer.allocate(8 + 8 * shapeCopy.size + data.remaining()).order(ByteOrder.LITTLE_ENDIAN)
    out.putInt(dtype().jniCode).putInt(shapeCopy.size)
    shapeCopy.forEach { out.putLong(it) }
    out.put(data)
    return out.array()
  }

  companion object {
    private fun direct(bytes: Int): ByteBuffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder())

    @JvmStatic fun allocateByteBuffer(numElements: Int): ByteBuffer = direct(numElements)
    @JvmStatic fun allocateIntBuffer(numElements: Int): IntBuffer = direct(numElements * 4).asIntBuffer()
    @JvmStatic fun allocateFloatBuffer(numElements: Int): FloatBuffer = direct(numElements * 4).asFloatBuffer()
    @JvmStatic fun allocateLongBuffer(numElements: Int): LongBuffer = direct(numElements * 8).asLongBuffer()
    @JvmStatic fun allocateHalfBuffer(numElements: Int): ShortBuffer = direct(numElements * 2).asShortBuffer()
    @JvmStatic fun allocateDoubleBuffer(numElements: Int): DoubleBuffer = direct(numElements * 8).asDoubleBuffer()

    private fun checkShape(shape: LongArray, size: Int) {
      for (d in shape) require(d >= 0) { "Shape elements must be non negative" }
      require(numel(shape) == size.toLong()) {
        "Inconsistent data capacity:" + size + " and shape number elements:" + numel(shape) + " shape:" + shape.contentToString()
      }
    }

    private fun checkBuffer(data: Buffer, shape: LongArray) {
      require(data.isDirect) { "Input buffer must be direct" }
      checkShape(shape, data.capacity())
    }

    internal fun of(dtype: DType, shape: LongArray, fill: (ByteBuffer) -> Unit, elementBytes: Int): Tensor {
      val buf = ByteBuffer.allocate((numel(shape) * elementBytes).toInt()).order(ByteOrder.LITTLE_ENDIAN)
      fill(buf)
      return HostTensor(dtype, shape, buf)
    }

    @JvmStatic fun fromBlobUnsigned(data: ByteArray, shape: LongArray): Tensor {
      checkShape(shape, data.size)
      return of(DType.UINT8, shape, { it.put(data) }, 1)
    }
    @JvmStatic fun fromBlob(data: ByteArray, shape: LongArray): Tensor {
      checkShape(shape, data.size)
      return of(DType.INT8, shape, { it.put(data) }, 1)
    }
    @JvmStatic fun fromBlob(data: IntArray, shape: LongArray): Tensor {
      checkShape(shape, data.size)
      return of(DType.INT32, shape, { it.asIntBuffer().put(data) }, 4)
    }
    @JvmStatic fun fromBlob(data: FloatArray, shape: LongArray): Tensor {
      checkShape(shape, data.size)
      return of(DType.FLOAT, shape, { it.asFloatBuffer().put(data) }, 4)
    }
    @JvmStatic fun fromBlob(data: ShortArray, shape: LongArray): Tensor {
      checkShape(shape, data.size)
      return of(DType.HALF, shape, { it.asShortBuffer().put(data) }, 2)
    }
    @JvmStatic fun fromBlob(data: LongArray, shape: LongArray): Tensor {
      checkShape(shape, data.size)
      return of(DType.INT64, shape, { it.asLongBuffer().put(data) }, 8)
    }
    @JvmStatic fun fromBlob(data: DoubleArray, shape: LongArray): Tensor {
      checkShape(shape, data.size)
      return of(DType.DOUBLE, shape, { it.asDoubleBuffer().put(data) }, 8)
    }

    // The buffer overloads alias the caller's memory, as upstream's do.
    @JvmStatic fun fromBlobUnsigned(data: ByteBuffer, shape: LongArray): Tensor {
      checkBuffer(data, shape)
      return HostTensor(DType.UINT8, shape, data)
    }
    @JvmStatic fun fromBlob(data: ByteBuffer, shape: LongArray): Tensor {
      checkBuffer(data, shape)
      return HostTensor(DType.INT8, shape, data)
    }
    @JvmStatic fun fromBlob(data: IntBuffer, shape: LongArray): Tensor =
        of(DType.INT32, shape.also { checkBuffer(data, it) }, { b -> b.asIntBuffer().put(data.duplicate().also { it.rewind() }) }, 4)
    @JvmStatic fun fromBlob(data: FloatBuffer, shape: LongArray): Tensor =
        of(DType.FLOAT, shape.also { checkBuffer(data, it) }, { b -> b.asFloatBuffer().put(data.duplicate().also { it.rewind() }) }, 4)
    @JvmStatic fun fromBlob(data: ShortBuffer, shape: LongArray): Tensor =
        of(DType.HALF, shape.also { checkBuffer(data, it) }, { b -> b.asShortBuffer().put(data.duplicate().also { it.rewind() }) }, 2)
    @JvmStatic fun fromBlob(data: LongBuffer, shape: LongArray): Tensor =
        of(DType.INT64, shape.also { checkBuffer(data, it) }, { b -> b.asLongBuffer().put(data.duplicate().also { it.rewind() }) }, 8)
    @JvmStatic fun fromBlob(data: DoubleBuffer, shape: LongArray): Tensor =
        of(DType.DOUBLE, shape.also { checkBuffer(data, it) }, { b -> b.asDoubleBuffer().put(data.duplicate().also { it.rewind() }) }, 8)

    @JvmStatic fun ones(shape: LongArray, dtype: DType): Tensor = filled(shape, dtype, 1.0)
    @JvmStatic fun zeros(shape: LongArray, dtype: DType): Tensor = filled(shape, dtype, 0.0)

    private fun filled(shape: LongArray, dtype: DType, v: Double): Tensor {
      val n = numel(shape).toInt()
      return when (dtype) {
        DType.FLOAT -> fromBlob(FloatArray(n) { v.toFloat() }, shape)
        DType.DOUBLE -> fromBlob(DoubleArray(n) { v }, shape)
        DType.INT32 -> fromBlob(IntArray(n) { v.toInt() }, shape)
        DType.INT64 -> fromBlob(LongArray(n) { v.toLong() }, shape)
        DType.INT8 -> fromBlob(ByteArray(n) { v.toInt().toByte() }, shape)
        DType.UINT8 -> fromBlobUnsigned(ByteArray(n) { v.toInt().toByte() }, shape)
        else -> throw IllegalArgumentException("Unsupported dtype: $dtype")
      }
    }

    @JvmStatic fun numel(shape: LongArray): Long = shape.fold(1L) { acc, d -> acc * d }

    @JvmStatic fun fromByteArray(bytes: ByteArray): Tensor {
      val b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)
      val code = b.int
      val dtype = DType.values().firstOrNull { it.jniCode == code } ?: throw IllegalArgumentException("Unknown dtype code: $code")
      val shape = LongArray(b.int) { b.long }
      val data = ByteBuffer.allocate(b.remaining()).order(ByteOrder.LITTLE_ENDIAN)
      data.put(b)
      return HostTensor(dtype, shape, data)
    }

    private fun halfToFloat(h: Short): Float {
      val bits = h.toInt() and 0xffff
      val sign = bits ushr 15
      val exp = (bits ushr 10) and 0x1f
      val mant = bits and 0x3ff
      val f = when (exp) {
        0 -> (if (mant == 0) 0 else null)?.let { sign shl 31 }
        31 -> (sign shl 31) or 0x7f800000 or (mant shl 13)
        else -> (sign shl 31) or ((exp - 15 + 127) shl 23) or (mant shl 13)
      } ?: return (if (sign == 1) -1f else 1f) * mant * 5.9604645e-8f
      return java.lang.Float.intBitsToFloat(f)
    }
  }
}

/** The one concrete tensor of the host stand-in: dtype, shape and little-endian data. */
internal class HostTensor(private val type: DType, shape: LongArray, data: ByteBuffer) : Tensor(shape) {
  override val bytes: ByteBuffer = data

  override fun dtype(): DType = type
}
