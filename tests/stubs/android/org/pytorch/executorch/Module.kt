// COMPILE STUB (tests only, never shipped). ExecuTorch v1.4.1, mobile-apis.md §1 "Module / MethodMetadata".
package org.pytorch.executorch

import java.io.Closeable
import org.pytorch.executorch.annotations.Experimental

@Experimental
open class Module private constructor(moduleAbsolutePath: String, loadMode: Int, numThreads: Int) :
    Closeable {

  open fun forward(vararg inputs: EValue): Array<EValue> = TODO("stub")

  open fun execute(methodName: String, vararg inputs: EValue): Array<EValue> = TODO("stub")

  /** v1.3+: returns Unit and throws on failure (v1.2 and older returned an int status). */
  open fun loadMethod(methodName: String): Unit = TODO("stub")

  open fun getMethods(): Array<String> = TODO("stub")

  open fun getMethodMetadata(name: String): MethodMetadata = TODO("stub")

  open fun readLogBuffer(): Array<String>? = TODO("stub")

  @Experimental open fun etdump(): Boolean = TODO("stub")

  @Experimental open fun etdump(outputPath: String): Boolean = TODO("stub")

  open fun destroy(): Unit = TODO("stub")

  override fun close(): Unit = TODO("stub")

  companion object {
    const val LOAD_MODE_FILE = 0
    const val LOAD_MODE_MMAP = 1
    const val LOAD_MODE_MMAP_USE_MLOCK = 2
    const val LOAD_MODE_MMAP_USE_MLOCK_IGNORE_ERRORS = 3

    @JvmStatic
    @JvmOverloads
    fun load(modelPath: String?, loadMode: Int = LOAD_MODE_FILE, numThreads: Int = 0): Module =
        TODO("stub")

    @JvmStatic fun readLogBufferStatic(): Array<String>? = TODO("stub")
  }
}

class MethodMetadata internal constructor(val name: String, val backends: Array<String>)
