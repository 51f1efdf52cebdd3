// COMPILE STUB (tests only, never shipped). JUnit 4.13 signatures. A Java SAM interface: Kotlin lambdas
// convert to it (assertThrows(X::class.java) { … }).
package org.junit.function;

public interface ThrowingRunnable {
    void run() throws Throwable;
}
