// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). androidx.test:core's ApplicationProvider.
package androidx.test.core.app;

import android.content.Context;
import sdkgen.hostrun.HostContext;

public final class ApplicationProvider {
    private ApplicationProvider() {}

    @SuppressWarnings("unchecked")
    public static <T extends Context> T getApplicationContext() { return (T) HostContext.get(); }
}
