// COMPILE STUB (tests only, never shipped).
// Follows google-ai-edge/LiteRT v2.2.0 (145c7523ff08) litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/Common.kt.
// The SDK pins LiteRT 2.3.0, which has no tag in the mirror; v2.2.0 is the newest release there, and `main`
// (f67457790c9c, 2026-08-21) has the same public API in this file.
// Signatures, visibility, nullability and defaults are upstream's; bodies throw.
package com.google.ai.edge.litert

/** Upstream: the constructor is private and [value] public; [of] is internal. */
enum class Accelerator private constructor(val value: Int) {
  NONE(0),
  CPU(1),
  GPU(2),
  NPU(3);

  companion object {
    /** Upstream throws [IllegalArgumentException] for an unknown value. */
    internal fun of(value: Int): Accelerator = TODO("stub")
  }
}

/**
 * Upstream: the constructor and [handle] are internal, so code outside LiteRT can neither subclass it nor read
 * the handle. [assertNotDestroyed] throws [IllegalStateException] after [close]; [close] is idempotent and final.
 */
abstract class JniHandle internal constructor(internal val handle: Long) : AutoCloseable {
  protected fun assertNotDestroyed(): Unit = TODO("stub")

  protected abstract fun destroy()

  final override fun close(): Unit = TODO("stub")
}
