// HOST STAND-IN (sdkgen host runs, never shipped in an SDK): the compile stub of the same name
// (tests/stubs/android/com/google/ai/edge/litert) with bodies; the models run through sdkgen.hostrun.Bridge.
// Follows google-ai-edge/LiteRT v2.2.0 (145c7523ff08) litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/Common.kt.
// The SDK pins LiteRT 2.3.0, which has no tag in the mirror; v2.2.0 is the newest release there, and `main`
// (f67457790c9c, 2026-08-21) has the same public API in this file.
// Signatures, visibility, nullability and defaults are upstream's.
package com.google.ai.edge.litert

/** Upstream: the constructor is private and [value] public; [of] is internal. */
enum class Accelerator private constructor(val value: Int) {
  NONE(0),
  CPU(1),
  GPU(2),
  NPU(3);

  companion object {
    /** Upstream throws [IllegalArgumentException] for an unknown value. */
    internal fun of(value: Int): Accelerator = values().first { it.value == value }
  }
}

/**
 * Upstream: the constructor and [handle] are internal, so code outside LiteRT can neither subclass it nor read
 * the handle. [assertNotDestroyed] throws [IllegalStateException] after [close]; [close] is idempotent and final.
 */
abstract class JniHandle internal constructor(internal val handle: Long) : AutoCloseable {
  private var destroyed = false

  protected fun assertNotDestroyed() {
    if (destroyed) throw IllegalStateException("The handle has been destroyed.")
  }

  protected abstract fun destroy()

  final override fun close() {
    if (!destroyed) {
      destroyed = true
      destroy()
    }
  }
}
