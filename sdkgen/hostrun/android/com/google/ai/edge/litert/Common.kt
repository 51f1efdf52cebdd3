// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). The LiteRT Kotlin API's common types as the
// compile stubs (tests/stubs/android/com/google/ai/edge/litert) declare them; upstream
// litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/Common.kt.
package com.google.ai.edge.litert

enum class Accelerator { NONE, CPU, GPU, NPU }

enum class Status { Ok, ErrorInvalidArgument, ErrorMemoryAllocationFailure, ErrorRuntimeFailure, ErrorUnsupported }

class LiteRtException(val status: Status, message: String) : Exception(message)

/** Owns a native object; close() frees it once (upstream: JniHandle with a destroyed flag). */
abstract class JniHandle : AutoCloseable {
  private var destroyed = false

  internal fun assertNotDestroyed() {
    if (destroyed) throw IllegalStateException("The handle has been destroyed.")
  }

  protected open fun destroy() {}

  final override fun close() {
    if (!destroyed) {
      destroyed = true
      destroy()
    }
  }
}

data class Layout(val dimensions: List<Int>, val strides: List<Int> = listOf()) {
  val rank: Int get() = dimensions.size
  val hasStrides: Boolean get() = strides.isNotEmpty()
}

data class TensorType(val elementType: ElementType, val layout: Layout? = null) {
  enum class ElementType { INT, FLOAT, INT8, BOOLEAN, INT64 }
}
