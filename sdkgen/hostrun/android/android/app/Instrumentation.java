// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). android.jar's Instrumentation, as far as the
// generated device tests use it: both contexts are the host run's.
package android.app;

import android.content.Context;
import sdkgen.hostrun.HostContext;

public class Instrumentation {
    public Instrumentation() {}

    public Context getContext() { return HostContext.get(); }

    public Context getTargetContext() { return HostContext.get(); }
}
