// Compile stub of LiteRT 2.2.0 Environment. Never shipped.
package com.google.ai.edge.litert

import android.content.Context

class Environment private constructor(private val handle: Long) : JniHandle() {
  enum class Option { CompilerPluginLibraryDir, DispatchLibraryDir }

  fun getAvailableAccelerators(): Set<Accelerator> = TODO("stub")

  companion object {
    @JvmStatic @JvmOverloads fun create(options: Map<Option, String> = mapOf()): Environment = TODO("stub")
    @JvmStatic @JvmOverloads fun create(
      context: Context,
      options: Map<Option, String> = mapOf(),
      enableCompilerCache: Boolean = true,
    ): Environment = TODO("stub")
  }
}
