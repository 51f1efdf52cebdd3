// COMPILE STUB (tests only, never shipped). Android SDK (android.jar) signatures.
package android.content.res;

import java.io.IOException;
import java.io.InputStream;

public final class AssetManager implements AutoCloseable {
    public static final int ACCESS_UNKNOWN = 0;
    public static final int ACCESS_RANDOM = 1;
    public static final int ACCESS_STREAMING = 2;
    public static final int ACCESS_BUFFER = 3;

    AssetManager() {}

    public InputStream open(String fileName) throws IOException {
        throw new UnsupportedOperationException("stub");
    }

    public InputStream open(String fileName, int accessMode) throws IOException {
        throw new UnsupportedOperationException("stub");
    }

    /** Names of the assets under {@code path}; may be null. */
    public String[] list(String path) throws IOException {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("stub");
    }
}
