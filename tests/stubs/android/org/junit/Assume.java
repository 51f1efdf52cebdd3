// COMPILE STUB (tests only, never shipped). JUnit 4.13 signatures (without the Hamcrest assumeThat).
package org.junit;

public class Assume {
    @Deprecated
    public Assume() {}

    public static void assumeTrue(boolean b) { throw new UnsupportedOperationException("stub"); }
    public static void assumeTrue(String message, boolean b) { throw new UnsupportedOperationException("stub"); }
    public static void assumeFalse(boolean b) { throw new UnsupportedOperationException("stub"); }
    public static void assumeFalse(String message, boolean b) { throw new UnsupportedOperationException("stub"); }
    public static void assumeNotNull(Object... objects) { throw new UnsupportedOperationException("stub"); }
    public static void assumeNoException(Throwable e) { throw new UnsupportedOperationException("stub"); }
    public static void assumeNoException(String message, Throwable e) { throw new UnsupportedOperationException("stub"); }
}
