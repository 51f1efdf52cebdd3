// COMPILE STUB (tests only, never shipped).
// Follows google-ai-edge/LiteRT v2.2.0 (145c7523ff08)
// litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/AcceleratorProvider.kt (public API unchanged on `main`
// f67457790c9c). Needed by the NpuAcceleratorProvider overloads of Environment.create. The internal SoC tables
// are left out. Signatures, visibility, nullability and defaults are upstream's; bodies throw.
package com.google.ai.edge.litert

import android.content.Context

interface NpuCompatibilityChecker {
  fun isDeviceSupported(): Boolean

  /** Upstream: stored properties holding anonymous objects; their public type is the interface. */
  companion object {
    val Qualcomm: NpuCompatibilityChecker
      get() = TODO("stub")

    val Mediatek: NpuCompatibilityChecker
      get() = TODO("stub")

    val GoogleTensor: NpuCompatibilityChecker
      get() = TODO("stub")

    val Default: NpuCompatibilityChecker
      get() = TODO("stub")
  }
}

interface NpuAcceleratorProvider {
  fun isDeviceSupported(): Boolean

  fun isLibraryReady(): Boolean

  suspend fun downloadLibrary()

  fun getLibraryDir(): String
}

class BuiltinNpuAcceleratorProvider
@JvmOverloads
constructor(
  private val context: Context,
  private val npuCompatibilityChecker: NpuCompatibilityChecker = NpuCompatibilityChecker.Default,
) : NpuAcceleratorProvider {
  override fun isDeviceSupported(): Boolean = TODO("stub")

  override fun isLibraryReady(): Boolean = TODO("stub")

  override suspend fun downloadLibrary(): Unit = TODO("stub")

  override fun getLibraryDir(): String = TODO("stub")
}
