// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api.tasks;

import org.gradle.api.Task;
import org.gradle.api.specs.Spec;

public interface TaskOutputs {
    TaskOutputFilePropertyBuilder dir(Object path);
    TaskOutputFilePropertyBuilder file(Object path);
    void upToDateWhen(Spec<? super Task> upToDateSpec);
}
