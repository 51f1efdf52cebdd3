// COMPILE STUB (tests only, never shipped). Android SDK (android.jar) signatures.
package android.app;

import android.content.Context;

public class Instrumentation {
    public Instrumentation() {}

    /** The context of the test APK itself (its own assets). */
    public Context getContext() { throw new UnsupportedOperationException("stub"); }

    /** The context of the application under test. */
    public Context getTargetContext() { throw new UnsupportedOperationException("stub"); }
}
