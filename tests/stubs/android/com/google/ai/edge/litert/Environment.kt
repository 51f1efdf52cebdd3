// COMPILE STUB (tests only, never shipped).
// Follows google-ai-edge/LiteRT v2.2.0 (145c7523ff08)
// litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/Environment.kt. `main` (f67457790c9c) only adds
// `Option.SystemGpuAcceleratorHandle(30)` (marked internal use, @suppress), left out here.
// Signatures, visibility, nullability and defaults are upstream's; bodies throw.
package com.google.ai.edge.litert

import android.content.Context

class Environment private constructor(handle: Long) : JniHandle(handle) {

  /** Upstream: private constructor, public [value]. [SystemRuntimeHandle] is documented as internal use only. */
  enum class Option private constructor(val value: Int) {
    CompilerPluginLibraryDir(0),
    DispatchLibraryDir(1),
    SystemRuntimeHandle(23),
  }

  override protected fun destroy(): Unit = TODO("stub")

  /** Upstream throws [IllegalStateException] once closed. */
  @Throws(LiteRtException::class)
  fun getAvailableAccelerators(): Set<Accelerator> = TODO("stub")

  companion object {
    /** Upstream adds the compiler cache option (context.cacheDir) when [enableCompilerCache] is true. */
    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(
      context: Context,
      options: Map<Option, String> = mapOf(),
      enableCompilerCache: Boolean = true,
    ): Environment = TODO("stub")

    /** Upstream: no compiler cache. */
    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(options: Map<Option, String> = mapOf()): Environment = TODO("stub")

    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(
      context: Context,
      npuAcceleratorProvider: NpuAcceleratorProvider,
      options: Map<Option, String> = mapOf(),
      enableCompilerCache: Boolean = true,
    ): Environment = TODO("stub")

    @Throws(LiteRtException::class)
    @JvmOverloads
    @JvmStatic
    fun create(
      npuAcceleratorProvider: NpuAcceleratorProvider,
      options: Map<Option, String> = mapOf(),
    ): Environment = TODO("stub")
  }
}
