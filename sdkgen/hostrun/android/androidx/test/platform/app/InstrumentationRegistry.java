// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). androidx.test:monitor's registry.
package androidx.test.platform.app;

import android.app.Instrumentation;
import android.os.Bundle;

public final class InstrumentationRegistry {
    private static final Instrumentation INSTRUMENTATION = new Instrumentation();

    private InstrumentationRegistry() {}

    public static Instrumentation getInstrumentation() { return INSTRUMENTATION; }

    public static Bundle getArguments() { return android.os.HostArguments.get(); }
}
