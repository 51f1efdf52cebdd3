// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api;

@HasImplicitReceiver
public interface Action<T> {
    void execute(T t);
}
