// COMPILE STUB (tests only, never shipped). Android SDK (android.jar) signatures.
package android.os;

public final class SystemClock {
    private SystemClock() {}

    public static long uptimeMillis() { throw new UnsupportedOperationException("stub"); }
    public static long elapsedRealtime() { throw new UnsupportedOperationException("stub"); }
    public static long elapsedRealtimeNanos() { throw new UnsupportedOperationException("stub"); }
}
