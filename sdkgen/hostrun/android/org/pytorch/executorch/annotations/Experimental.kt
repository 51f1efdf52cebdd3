// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). Same declaration as upstream v1.4.1.
package org.pytorch.executorch.annotations

/** Marks an ExecuTorch API as experimental. A plain marker: it is not a `@RequiresOptIn`. */
@Retention(AnnotationRetention.BINARY)
annotation class Experimental
