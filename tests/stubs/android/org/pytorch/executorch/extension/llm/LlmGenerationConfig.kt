// COMPILE STUB (tests only, never shipped). ExecuTorch v1.4.1, mobile-apis.md §1 "LLM".
package org.pytorch.executorch.extension.llm

/**
 * Built with `LlmGenerationConfig.create().seqLen(…)….build()`. Defaults: echo=true, maxNewTokens=-1,
 * warming=false, seqLen=-1, temperature=0.8f, numBos=0, numEos=0.
 */
class LlmGenerationConfig
private constructor(
    @get:JvmName("isEcho") val echo: Boolean,
    val maxNewTokens: Int,
    @get:JvmName("isWarming") val warming: Boolean,
    val seqLen: Int,
    val temperature: Float,
    val numBos: Int,
    val numEos: Int,
) {

  companion object {
    @JvmStatic fun create(): Builder = TODO("stub")
  }

  class Builder internal constructor() {
    fun echo(echo: Boolean): Builder = TODO("stub")

    fun maxNewTokens(maxNewTokens: Int): Builder = TODO("stub")

    fun warming(warming: Boolean): Builder = TODO("stub")

    fun seqLen(seqLen: Int): Builder = TODO("stub")

    fun temperature(temperature: Float): Builder = TODO("stub")

    fun numBos(numBos: Int): Builder = TODO("stub")

    fun numEos(numEos: Int): Builder = TODO("stub")

    fun build(): LlmGenerationConfig = TODO("stub")
  }
}
