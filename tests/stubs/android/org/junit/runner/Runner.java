// COMPILE STUB (tests only, never shipped). JUnit 4.13 signatures; runner internals left out.
package org.junit.runner;

public abstract class Runner {
    protected Runner() {}
}
