// Compile stub of LiteRT 2.2.0 Kotlin API (litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/Common.kt),
// from ../shared/reference/mobile-apis.md section 3. Never shipped.
package com.google.ai.edge.litert

enum class Accelerator { NONE, CPU, GPU, NPU }

enum class Status { Ok, ErrorInvalidArgument, ErrorMemoryAllocationFailure, ErrorRuntimeFailure, ErrorUnsupported }

class LiteRtException(val status: Status, message: String) : Exception(message)

abstract class JniHandle : AutoCloseable {
  final override fun close(): Unit = TODO("stub")
}

data class Layout(val dimensions: List<Int>, val strides: List<Int> = listOf()) {
  val rank: Int get() = TODO("stub")
  val hasStrides: Boolean get() = TODO("stub")
}

data class TensorType(val elementType: ElementType, val layout: Layout? = null) {
  enum class ElementType { INT, FLOAT, INT8, BOOLEAN, INT64 }
}
