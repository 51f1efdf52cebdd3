// COMPILE STUB (tests only, never shipped). JUnit 4.13 signatures (Hamcrest assertThat left out).
package org.junit;

import org.junit.function.ThrowingRunnable;

public class Assert {
    protected Assert() {}

    public static void assertTrue(String message, boolean condition) { throw new UnsupportedOperationException("stub"); }
    public static void assertTrue(boolean condition) { throw new UnsupportedOperationException("stub"); }
    public static void assertFalse(String message, boolean condition) { throw new UnsupportedOperationException("stub"); }
    public static void assertFalse(boolean condition) { throw new UnsupportedOperationException("stub"); }
    public static void fail(String message) { throw new UnsupportedOperationException("stub"); }
    public static void fail() { throw new UnsupportedOperationException("stub"); }
    public static void assertEquals(String message, Object expected, Object actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertEquals(Object expected, Object actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertEquals(String message, long expected, long actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertEquals(long expected, long actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertEquals(String message, double expected, double actual, double delta) { throw new UnsupportedOperationException("stub"); }
    public static void assertEquals(double expected, double actual, double delta) { throw new UnsupportedOperationException("stub"); }
    public static void assertEquals(String message, float expected, float actual, float delta) { throw new UnsupportedOperationException("stub"); }
    public static void assertEquals(float expected, float actual, float delta) { throw new UnsupportedOperationException("stub"); }
    /** @deprecated Use assertEquals(expected, actual, delta) to compare floating-point numbers. */
    @Deprecated
    public static void assertEquals(double expected, double actual) { throw new UnsupportedOperationException("stub"); }
    /** @deprecated Use assertEquals(message, expected, actual, delta). */
    @Deprecated
    public static void assertEquals(String message, double expected, double actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertNotEquals(String message, Object unexpected, Object actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertNotEquals(Object unexpected, Object actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertNotEquals(String message, long unexpected, long actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertNotEquals(long unexpected, long actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertNotEquals(String message, double unexpected, double actual, double delta) { throw new UnsupportedOperationException("stub"); }
    public static void assertNotEquals(double unexpected, double actual, double delta) { throw new UnsupportedOperationException("stub"); }
    public static void assertNotEquals(float unexpected, float actual, float delta) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(String message, Object[] expecteds, Object[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(Object[] expecteds, Object[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(String message, boolean[] expecteds, boolean[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(boolean[] expecteds, boolean[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(String message, byte[] expecteds, byte[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(byte[] expecteds, byte[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(String message, char[] expecteds, char[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(char[] expecteds, char[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(String message, short[] expecteds, short[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(short[] expecteds, short[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(String message, int[] expecteds, int[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(int[] expecteds, int[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(String message, long[] expecteds, long[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(long[] expecteds, long[] actuals) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(String message, double[] expecteds, double[] actuals, double delta) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(double[] expecteds, double[] actuals, double delta) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(String message, float[] expecteds, float[] actuals, float delta) { throw new UnsupportedOperationException("stub"); }
    public static void assertArrayEquals(float[] expecteds, float[] actuals, float delta) { throw new UnsupportedOperationException("stub"); }
    public static void assertNotNull(String message, Object object) { throw new UnsupportedOperationException("stub"); }
    public static void assertNotNull(Object object) { throw new UnsupportedOperationException("stub"); }
    public static void assertNull(String message, Object object) { throw new UnsupportedOperationException("stub"); }
    public static void assertNull(Object object) { throw new UnsupportedOperationException("stub"); }
    public static void assertSame(String message, Object expected, Object actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertSame(Object expected, Object actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertNotSame(String message, Object expected, Object actual) { throw new UnsupportedOperationException("stub"); }
    public static void assertNotSame(Object expected, Object actual) { throw new UnsupportedOperationException("stub"); }
    public static <T extends Throwable> T assertThrows(Class<T> expectedThrowable, ThrowingRunnable runnable) { throw new UnsupportedOperationException("stub"); }
    public static <T extends Throwable> T assertThrows(String message, Class<T> expectedThrowable, ThrowingRunnable runnable) { throw new UnsupportedOperationException("stub"); }
}
