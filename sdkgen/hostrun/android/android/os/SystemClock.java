// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). Monotonic clocks from System.nanoTime.
package android.os;

public final class SystemClock {
    private static final long START = System.nanoTime();

    private SystemClock() {}

    public static long uptimeMillis() { return (System.nanoTime() - START) / 1_000_000L; }
    public static long elapsedRealtime() { return (System.nanoTime() - START) / 1_000_000L; }
    public static long elapsedRealtimeNanos() { return System.nanoTime() - START; }
}
