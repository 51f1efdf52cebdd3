// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api.provider;

public interface Provider<T> {
    T get();
    T getOrNull();
    T getOrElse(T defaultValue);
    Provider<T> orElse(T value);
    boolean isPresent();
}
