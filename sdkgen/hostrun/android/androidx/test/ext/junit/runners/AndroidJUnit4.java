// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). androidx.test.ext:junit's runner; on a device
// it delegates to the instrumentation runner, here to JUnit 4's own.
package androidx.test.ext.junit.runners;

import org.junit.runners.BlockJUnit4ClassRunner;
import org.junit.runners.model.InitializationError;

public final class AndroidJUnit4 extends BlockJUnit4ClassRunner {
    public AndroidJUnit4(Class<?> klass) throws InitializationError {
        super(klass);
    }
}
