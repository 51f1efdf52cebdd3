// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api.tasks;

import org.gradle.api.Action;
import org.gradle.api.Task;
import org.gradle.api.specs.Spec;

// In Gradle it extends NamedDomainObjectSet<T>; only the members used are declared here.
public interface TaskCollection<T extends Task> {
    TaskCollection<T> matching(Spec<? super T> spec);
    /** Since Gradle 8.6: the tasks whose name satisfies the filter, without creating the others. */
    TaskCollection<T> named(Spec<String> nameFilter);
    TaskProvider<T> named(String name);
    void configureEach(Action<? super T> action);
}
