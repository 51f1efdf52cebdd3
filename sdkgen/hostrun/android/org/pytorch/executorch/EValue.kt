// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). Public API as upstream v1.4.1
// extension/android/executorch_android/src/main/java/org/pytorch/executorch/EValue.kt: a tagged value
// whose accessors throw IllegalStateException on the wrong tag.
package org.pytorch.executorch

import org.pytorch.executorch.annotations.Experimental

@Experimental
class EValue private constructor(internal val typeCode: Int, private val value: Any?) {
  val isNone: Boolean
    get() = typeCode == TYPE_CODE_NONE
  val isTensor: Boolean
    get() = typeCode == TYPE_CODE_TENSOR
  val isBool: Boolean
    get() = typeCode == TYPE_CODE_BOOL
  val isInt: Boolean
    get() = typeCode == TYPE_CODE_INT
  val isDouble: Boolean
    get() = typeCode == TYPE_CODE_DOUBLE
  val isString: Boolean
    get() = typeCode == TYPE_CODE_STRING

  private fun expect(code: Int, name: String) {
    if (typeCode != code) throw IllegalStateException("Expected EValue type " + name + ", actual type " + TYPE_NAMES[typeCode])
  }

  fun toTensor(): Tensor = value.also { expect(TYPE_CODE_TENSOR, "Tensor") } as Tensor
  fun toBool(): Boolean = value.also { expect(TYPE_CODE_BOOL, "Bool") } as Boolean
  fun toInt(): Long = value.also { expect(TYPE_CODE_INT, "Int") } as Long
  fun toDouble(): Double = value.also { expect(TYPE_CODE_DOUBLE, "Double") } as Double
  fun toStr(): String = value.also { expect(TYPE_CODE_STRING, "String") } as String

  /** Upstream serialises tensors and scalars; the host stand-in serialises tensors only (its own layout). */
  fun toByteArray(): ByteArray =
      if (isTensor) toTensor().toByteArray() else throw IllegalArgumentException("not in the host stand-in: non-tensor EValue")

  companion object {
    internal const val TYPE_CODE_NONE = 0
    internal const val TYPE_CODE_TENSOR = 1
    internal const val TYPE_CODE_STRING = 2
    internal const val TYPE_CODE_DOUBLE = 3
    internal const val TYPE_CODE_INT = 4
    internal const val TYPE_CODE_BOOL = 5
    private val TYPE_NAMES = arrayOf("None", "Tensor", "String", "Double", "Int", "Bool")

    @JvmStatic fun optionalNone(): EValue = EValue(TYPE_CODE_NONE, null)

    @JvmStatic fun fromByteArray(bytes: ByteArray): EValue = from(Tensor.fromByteArray(bytes))
    @JvmStatic fun from(tensor: Tensor): EValue = EValue(TYPE_CODE_TENSOR, tensor)
    @JvmStatic fun from(value: Boolean): EValue = EValue(TYPE_CODE_BOOL, value)
    @JvmStatic fun from(value: Long): EValue = EValue(TYPE_CODE_INT, value)
    @JvmStatic fun from(value: Double): EValue = EValue(TYPE_CODE_DOUBLE, value)
    @JvmStatic fun from(value: String): EValue = EValue(TYPE_CODE_STRING, value)
  }
}
