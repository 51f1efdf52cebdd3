// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api.specs;

public interface Spec<T> {
    boolean isSatisfiedBy(T element);
}
