// COMPILE STUB (tests only, never shipped). ExecuTorch v1.4.1, mobile-apis.md §1 "EValue, DType, exceptions".
package org.pytorch.executorch

import org.pytorch.executorch.annotations.Experimental

/** The accessors throw IllegalStateException on a type mismatch. There is no `from(Int)`: pass a Long. */
@Experimental
class EValue private constructor() {

  val isNone: Boolean
    get() = TODO("stub")

  val isTensor: Boolean
    get() = TODO("stub")

  val isBool: Boolean
    get() = TODO("stub")

  val isInt: Boolean
    get() = TODO("stub")

  val isDouble: Boolean
    get() = TODO("stub")

  val isString: Boolean
    get() = TODO("stub")

  fun toTensor(): Tensor = TODO("stub")

  fun toBool(): Boolean = TODO("stub")

  fun toInt(): Long = TODO("stub")

  fun toDouble(): Double = TODO("stub")

  fun toStr(): String = TODO("stub")

  fun toByteArray(): ByteArray = TODO("stub")

  companion object {
    @JvmStatic fun optionalNone(): EValue = TODO("stub")

    @JvmStatic fun fromByteArray(bytes: ByteArray): EValue = TODO("stub")

    @JvmStatic fun from(tensor: Tensor): EValue = TODO("stub")

    @JvmStatic fun from(value: Boolean): EValue = TODO("stub")

    @JvmStatic fun from(value: Long): EValue = TODO("stub")

    @JvmStatic fun from(value: Double): EValue = TODO("stub")

    @JvmStatic fun from(value: String): EValue = TODO("stub")
  }
}
