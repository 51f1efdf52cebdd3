// COMPILE STUB (tests only, never shipped). androidx.test:monitor signatures.
package androidx.test.platform.app;

import android.app.Instrumentation;
import android.os.Bundle;

public final class InstrumentationRegistry {
    private InstrumentationRegistry() {}

    public static Instrumentation getInstrumentation() { throw new UnsupportedOperationException("stub"); }

    /** Arguments passed with {@code am instrument -e key value}. */
    public static Bundle getArguments() { throw new UnsupportedOperationException("stub"); }
}
