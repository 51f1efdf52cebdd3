// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api;

import java.io.File;
import org.gradle.api.provider.ProviderFactory;
import org.gradle.api.tasks.TaskContainer;

public interface Project {
    File getRootDir();
    File getProjectDir();
    File file(Object path);
    Project getRootProject();
    TaskContainer getTasks();
    ProviderFactory getProviders();
    Object findProperty(String propertyName);
}
