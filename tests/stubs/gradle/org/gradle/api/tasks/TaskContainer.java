// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api.tasks;

import org.gradle.api.Action;
import org.gradle.api.Task;

public interface TaskContainer extends TaskCollection<Task> {
    TaskProvider<Task> register(String name);
    TaskProvider<Task> register(String name, Action<? super Task> configurationAction);
    <T extends Task> TaskProvider<T> register(String name, Class<T> type);
    <T extends Task> TaskProvider<T> register(String name, Class<T> type, Action<? super T> configurationAction);
}
