// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api.provider;

public interface ProviderFactory {
    Provider<String> gradleProperty(String propertyName);
    Provider<String> environmentVariable(String variableName);
}
