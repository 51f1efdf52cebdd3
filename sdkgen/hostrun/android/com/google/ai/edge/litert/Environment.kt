// HOST STAND-IN (sdkgen host runs, never shipped in an SDK): the compile stub of the same name
// (tests/stubs/android/com/google/ai/edge/litert) with bodies; the models run through sdkgen.hostrun.Bridge.
// Follows google-ai-edge/LiteRT v2.2.0 (145c7523ff08)
// litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/Environment.kt. `main` (f67457790c9c) only adds
// `Option.SystemGpuAcceleratorHandle(30)` (marked internal use, @suppress), left out here.
// Signatures, visibility, nullability and defaults are upstream's; the host offers the CPU only.
package com.google.ai.edge.litert

import android.content.Context

class Environment private constructor(handle: Long) : JniHandle(handle) {

  /** Upstream: private constructor, public [value]. [SystemRuntimeHandle] is documented as internal use only. */
  enum class Option private constructor(val value: Int) {
    CompilerPluginLibraryDir(0),
    DispatchLibraryDir(1),
    SystemRuntimeHandle(23),
  }

  override protected fun destroy() {}

  /** Upstream throws [IllegalStateException] once closed. */
  @Throws(LiteRtException::class)
  fun getAvailableAccelerators(): Set<Accelerator> {
    assertNotDestroyed()
    return setOf(Accelerator.CPU)
  }

  companion object {
    /** Upstream adds the compiler cache option (context.cacheDir) when [enableCompilerCache] is true. */
    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(
      context: Context,
      options: Map<Option, String> = mapOf(),
      enableCompilerCache: Boolean = true,
    ): Environment = Environment(0L)

    /** Upstream: no compiler cache. */
    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(options: Map<Option, String> = mapOf()): Environment = Environment(0L)

    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(
      context: Context,
      npuAcceleratorProvider: NpuAcceleratorProvider,
      options: Map<Option, String> = mapOf(),
      enableCompilerCache: Boolean = true,
    ): Environment = throw LiteRtException(Status.ErrorUnsupported, "no NPU on the host")

    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(
      npuAcceleratorProvider: NpuAcceleratorProvider,
      options: Map<Option, String> = mapOf(),
    ): Environment = throw LiteRtException(Status.ErrorUnsupported, "no NPU on the host")
  }
}
