// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). android.jar's public AssetManager API over a
// folder (the library's src/main/assets): open() throws FileNotFoundException (an IOException) for a missing
// asset, as the real one does. Created through HostAssetManagers, never by generated code.
package android.content.res;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

public final class AssetManager implements AutoCloseable {
    public static final int ACCESS_UNKNOWN = 0;
    public static final int ACCESS_RANDOM = 1;
    public static final int ACCESS_STREAMING = 2;
    public static final int ACCESS_BUFFER = 3;

    private final File root;
    private volatile boolean open = true;

    AssetManager(File root) {
        this.root = root;
    }

    public InputStream open(String fileName) throws IOException {
        return open(fileName, ACCESS_STREAMING);
    }

    public InputStream open(String fileName, int accessMode) throws IOException {
        if (!open) throw new RuntimeException("Assetmanager has been closed");
        File f = new File(root, fileName);
        if (fileName.startsWith("/") || fileName.contains("..") || !f.isFile()) throw new FileNotFoundException(fileName);
        return new FileInputStream(f);
    }

    /** Names of the assets under {@code path}; may be null. */
    public String[] list(String path) throws IOException {
        String[] names = new File(root, path).list();
        if (names == null) return new String[0];
        java.util.Arrays.sort(names);
        return names;
    }

    @Override
    public void close() {
        open = false;
    }
}
