// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). Upstream Environment.kt's public API; the host
// offers the CPU only.
package com.google.ai.edge.litert

import android.content.Context

class Environment private constructor() : JniHandle() {
  enum class Option { CompilerPluginLibraryDir, DispatchLibraryDir }

  fun getAvailableAccelerators(): Set<Accelerator> {
    assertNotDestroyed()
    return setOf(Accelerator.CPU)
  }

  companion object {
    @JvmStatic @JvmOverloads fun create(options: Map<Option, String> = mapOf()): Environment = Environment()

    @JvmStatic
    @JvmOverloads
    fun create(context: Context, options: Map<Option, String> = mapOf(), enableCompilerCache: Boolean = true): Environment =
        Environment()
  }
}
