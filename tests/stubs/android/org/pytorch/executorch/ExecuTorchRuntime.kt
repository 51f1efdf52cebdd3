// COMPILE STUB (tests only, never shipped). ExecuTorch v1.4.1, mobile-apis.md §1 "EValue, DType, exceptions".
package org.pytorch.executorch

class ExecuTorchRuntime private constructor() {
  companion object {
    @JvmStatic fun getRuntime(): ExecuTorchRuntime = TODO("stub")

    /** Throws IllegalArgumentException when the path is null, missing, not a file, or unreadable. */
    @JvmStatic fun validateFilePath(path: String?, description: String): Unit = TODO("stub")

    @JvmStatic fun getRegisteredOps(): Array<String> = TODO("stub")

    @JvmStatic fun getRegisteredBackends(): Array<String> = TODO("stub")
  }
}
