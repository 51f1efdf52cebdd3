// HOST STAND-IN (sdkgen host runs, never shipped in an SDK): the compile stub of the same name
// (tests/stubs/android/com/google/ai/edge/litert) with bodies; the models run through sdkgen.hostrun.Bridge.
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
      get() = throw UnsupportedOperationException("not in the host stand-in: NPU providers")

    val Mediatek: NpuCompatibilityChecker
      get() = throw UnsupportedOperationException("not in the host stand-in: NPU providers")

    val GoogleTensor: NpuCompatibilityChecker
      get() = throw UnsupportedOperationException("not in the host stand-in: NPU providers")

    val Default: NpuCompatibilityChecker
      get() = throw UnsupportedOperationException("not in the host stand-in: NPU providers")
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
  override fun isDeviceSupported(): Boolean = throw UnsupportedOperationException("not in the host stand-in: NPU providers")

  override fun isLibraryReady(): Boolean = throw UnsupportedOperationException("not in the host stand-in: NPU providers")

  override suspend fun downloadLibrary(): Unit = throw UnsupportedOperationException("not in the host stand-in: NPU providers")

  override fun getLibraryDir(): String = throw UnsupportedOperationException("not in the host stand-in: NPU providers")
}
