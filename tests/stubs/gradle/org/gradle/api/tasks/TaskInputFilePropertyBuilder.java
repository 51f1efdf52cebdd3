// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api.tasks;

public interface TaskInputFilePropertyBuilder {
    TaskInputFilePropertyBuilder withPropertyName(String propertyName);
    TaskInputFilePropertyBuilder optional();
    TaskInputFilePropertyBuilder skipWhenEmpty();
}
