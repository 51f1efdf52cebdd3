// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api.tasks;

public interface TaskInputs {
    TaskInputFilePropertyBuilder files(Object... paths);
    TaskInputFilePropertyBuilder file(Object path);
    TaskInputFilePropertyBuilder dir(Object dirPath);
    TaskInputPropertyBuilder property(String name, Object value);
}
