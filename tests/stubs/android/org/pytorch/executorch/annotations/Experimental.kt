// COMPILE STUB (tests only, never shipped). ExecuTorch v1.4.1, mobile-apis.md §1.
package org.pytorch.executorch.annotations

/** Marks an ExecuTorch API as experimental. A plain marker: it is not a `@RequiresOptIn`. */
@Retention(AnnotationRetention.BINARY)
annotation class Experimental
