// COMPILE STUB (tests only, never shipped). ExecuTorch v1.4.1, mobile-apis.md §1 "LLM".
package org.pytorch.executorch.extension.llm

/** Built with `LlmModuleConfig.create().modulePath(…).tokenizerPath(…)….build()`. */
class LlmModuleConfig
private constructor(
    val modulePath: String,
    val tokenizerPath: String,
    val temperature: Float,
    val dataPath: String?,
    val modelType: Int,
    val numBos: Int,
    val numEos: Int,
    val loadMode: Int,
) {

  companion object {
    const val LOAD_MODE_FILE = 0
    /** The default. */
    const val LOAD_MODE_MMAP = 1
    const val LOAD_MODE_MMAP_USE_MLOCK = 2
    const val LOAD_MODE_MMAP_USE_MLOCK_IGNORE_ERRORS = 3
    const val MODEL_TYPE_TEXT = 1
    const val MODEL_TYPE_TEXT_VISION = 2
    const val MODEL_TYPE_MULTIMODAL = 2

    @JvmStatic fun create(): Builder = TODO("stub")
  }

  class Builder internal constructor() {
    fun modulePath(modulePath: String): Builder = TODO("stub")

    fun tokenizerPath(tokenizerPath: String): Builder = TODO("stub")

    fun temperature(temperature: Float): Builder = TODO("stub")

    fun dataPath(dataPath: String?): Builder = TODO("stub")

    fun modelType(modelType: Int): Builder = TODO("stub")

    fun numBos(numBos: Int): Builder = TODO("stub")

    fun numEos(numEos: Int): Builder = TODO("stub")

    /** IllegalArgumentException for a value other than the LOAD_MODE_* constants. */
    fun loadMode(loadMode: Int): Builder = TODO("stub")

    /** IllegalArgumentException when the module or tokenizer path is missing. */
    fun build(): LlmModuleConfig = TODO("stub")
  }
}
