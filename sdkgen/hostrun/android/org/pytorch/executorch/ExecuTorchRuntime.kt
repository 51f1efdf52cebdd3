// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). Public API and validateFilePath's messages as
// upstream v1.4.1 extension/android/executorch_android/src/main/java/org/pytorch/executorch/ExecuTorchRuntime.kt.
package org.pytorch.executorch

import java.io.File

class ExecuTorchRuntime private constructor() {
  companion object {
    private val sInstance = ExecuTorchRuntime()

    @JvmStatic fun getRuntime(): ExecuTorchRuntime = sInstance

    @JvmStatic
    fun validateFilePath(path: String?, description: String) {
      if (path == null) throw IllegalArgumentException("Cannot load $description: path is null")
      val file = File(path)
      if (!file.exists()) throw IllegalArgumentException("Cannot load $description: path does not exist: $path")
      if (!file.isFile) throw IllegalArgumentException("Cannot load $description: path is not a file: $path")
      if (!file.canRead()) throw IllegalArgumentException("Cannot load $description: path is not readable: $path")
    }

    @JvmStatic fun getRegisteredOps(): Array<String> = throw UnsupportedOperationException("not in the host stand-in")

    @JvmStatic fun getRegisteredBackends(): Array<String> = throw UnsupportedOperationException("not in the host stand-in")
  }
}
