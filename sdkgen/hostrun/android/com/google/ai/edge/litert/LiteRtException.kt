// HOST STAND-IN (sdkgen host runs, never shipped in an SDK): the compile stub of the same name
// (tests/stubs/android/com/google/ai/edge/litert) with bodies; the models run through sdkgen.hostrun.Bridge.
// Follows google-ai-edge/LiteRT v2.2.0 (145c7523ff08)
// litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/LiteRtException.kt (same on `main` f67457790c9c).
// Signatures, visibility, nullability and defaults are upstream's.
package com.google.ai.edge.litert

/**
 * Upstream: [status] is a private constructor property, so callers cannot read it (only `message`). The `Int`
 * constructor goes through [Status.fromCode] and so throws [IllegalArgumentException] for an unknown code.
 */
class LiteRtException(private val status: Status, message: String) : Exception(message) {
  constructor(code: Int, message: String) : this(Status.fromCode(code), message)
}

/** Upstream's 31 values and codes, in its order (they mirror litert/c/litert_common.h). */
enum class Status(val code: Int) {
  Ok(0),
  ErrorInvalidArgument(1),
  ErrorMemoryAllocationFailure(2),
  ErrorRuntimeFailure(3),
  ErrorMissingInputTensor(4),
  ErrorUnsupported(5),
  ErrorNotFound(6),
  ErrorTimeoutExpired(7),
  ErrorWrongVersion(8),
  ErrorUnknown(9),
  ErrorAlreadyExists(10),
  ErrorCancelled(11),
  ErrorFileIO(500),
  ErrorInvalidFlatbuffer(501),
  ErrorDynamicLoading(502),
  ErrorSerialization(503),
  ErrorCompilation(504),
  ErrorIndexOOB(1000),
  ErrorInvalidIrType(1001),
  ErrorInvalidGraphInvariant(1002),
  ErrorGraphModification(1003),
  ErrorInvalidToolConfig(1500),
  LegalizeNoMatch(2000),
  ErrorInvalidLegalization(2001),
  PatternNoMatch(3000),
  ErrorInvalidTransformation(3001),
  ErrorUnsupportedRuntimeVersion(4000),
  ErrorUnsupportedCompilerVersion(4001),
  ErrorIncompatibleByteCodeVersion(4002),
  ErrorUnsupportedShapeInferencedOp(5000),
  ErrorShapeInferenceFailed(5001);

  companion object {
    /** Upstream throws [IllegalArgumentException] (`requireNotNull`) for an unknown code. */
    fun fromCode(code: Int): Status =
        values().firstOrNull { it.code == code } ?: throw IllegalArgumentException("Unknown status code: $code")
  }
}
