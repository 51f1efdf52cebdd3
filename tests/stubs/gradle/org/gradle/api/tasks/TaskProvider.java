// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api.tasks;

import org.gradle.api.Action;
import org.gradle.api.Task;
import org.gradle.api.provider.Provider;

// In Gradle it extends NamedDomainObjectProvider<T>, a Provider<T>.
public interface TaskProvider<T extends Task> extends Provider<T> {
    void configure(Action<? super T> action);
    String getName();
}
