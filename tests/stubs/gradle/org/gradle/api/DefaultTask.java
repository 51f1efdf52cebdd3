// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api;

import org.gradle.api.specs.Spec;
import org.gradle.api.tasks.TaskInputs;
import org.gradle.api.tasks.TaskOutputs;

public class DefaultTask implements Task {
    public String getName() { throw new UnsupportedOperationException("stub"); }
    public Task dependsOn(Object... paths) { throw new UnsupportedOperationException("stub"); }
    public String getGroup() { throw new UnsupportedOperationException("stub"); }
    public void setGroup(String group) { throw new UnsupportedOperationException("stub"); }
    public String getDescription() { throw new UnsupportedOperationException("stub"); }
    public void setDescription(String description) { throw new UnsupportedOperationException("stub"); }
    public void onlyIf(Spec<? super Task> onlyIfSpec) { throw new UnsupportedOperationException("stub"); }
    public void onlyIf(String onlyIfReason, Spec<? super Task> onlyIfSpec) { throw new UnsupportedOperationException("stub"); }
    public TaskInputs getInputs() { throw new UnsupportedOperationException("stub"); }
    public TaskOutputs getOutputs() { throw new UnsupportedOperationException("stub"); }
}
