// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api;

import org.gradle.api.specs.Spec;
import org.gradle.api.tasks.TaskInputs;
import org.gradle.api.tasks.TaskOutputs;

public interface Task {
    String getName();
    Task dependsOn(Object... paths);
    String getGroup();
    void setGroup(String group);
    String getDescription();
    void setDescription(String description);
    void onlyIf(Spec<? super Task> onlyIfSpec);
    void onlyIf(String onlyIfReason, Spec<? super Task> onlyIfSpec);
    TaskInputs getInputs();
    TaskOutputs getOutputs();
}
