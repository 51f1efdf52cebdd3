// COMPILE STUB (tests only, never shipped): Gradle 8.x public API signatures, only what sdkgen-build.gradle.kts uses.
package org.gradle.api.tasks;

import java.io.File;
import java.util.List;
import org.gradle.api.DefaultTask;

// In Gradle it extends ConventionTask and implements ExecSpec; only the members used are declared here.
public abstract class AbstractExecTask<T extends AbstractExecTask<T>> extends DefaultTask {
    public T commandLine(Object... arguments) { throw new UnsupportedOperationException("stub"); }
    public T commandLine(Iterable<?> args) { throw new UnsupportedOperationException("stub"); }
    public List<String> getCommandLine() { throw new UnsupportedOperationException("stub"); }
    public void setCommandLine(List<String> args) { throw new UnsupportedOperationException("stub"); }
    public File getWorkingDir() { throw new UnsupportedOperationException("stub"); }
    public void setWorkingDir(File dir) { throw new UnsupportedOperationException("stub"); }
    public void setWorkingDir(Object dir) { throw new UnsupportedOperationException("stub"); }
    public T environment(String name, Object value) { throw new UnsupportedOperationException("stub"); }
    public boolean isIgnoreExitValue() { throw new UnsupportedOperationException("stub"); }
    public T setIgnoreExitValue(boolean ignoreExitValue) { throw new UnsupportedOperationException("stub"); }
}
