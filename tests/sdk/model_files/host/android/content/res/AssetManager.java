// HOST STAND-IN (tests only, never shipped): android.content.res.AssetManager on the JVM, for
// tests/sdk/test_model_files.py. Same public members as the compile stub
// (tests/stubs/android/android/content/res/AssetManager.java, from android.jar); put it on the class path
// before the stubs. An asset is the file of that path under the folder named by the system property
// "host.assets". When "host.rendezvous" names a folder, every stream opened here waits at its first read until
// "host.parties" streams (of this process or others sharing the folder) have got that far, so concurrent
// copies really overlap.
package android.content.res;

import java.io.File;
import java.io.FileInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.UUID;

public final class AssetManager implements AutoCloseable {
    public static final int ACCESS_UNKNOWN = 0;
    public static final int ACCESS_RANDOM = 1;
    public static final int ACCESS_STREAMING = 2;
    public static final int ACCESS_BUFFER = 3;

    AssetManager() {}

    public InputStream open(String fileName) throws IOException {
        return open(fileName, ACCESS_STREAMING);
    }

    public InputStream open(String fileName, int accessMode) throws IOException {
        String root = System.getProperty("host.assets");
        if (root == null) throw new IOException("host.assets is not set");
        InputStream in = new FileInputStream(new File(root, fileName)); // FileNotFoundException, as on Android
        String rendezvous = System.getProperty("host.rendezvous");
        if (rendezvous == null) return in;
        int parties = Integer.parseInt(System.getProperty("host.parties", "1"));
        return new FilterInputStream(in) {
            private boolean met;

            private void meet() throws IOException {
                if (met) return;
                met = true;
                File dir = new File(rendezvous);
                if (!new File(dir, UUID.randomUUID().toString()).createNewFile()) throw new IOException("rendezvous");
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (dir.list().length < parties) {
                    if (System.nanoTime() > deadline) throw new IOException("rendezvous: the other copies never started");
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                }
            }

            @Override
            public int read() throws IOException {
                meet();
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                meet();
                return super.read(b, off, len);
            }
        };
    }

    /** Names of the assets under {@code path}; may be null. */
    public String[] list(String path) throws IOException {
        String root = System.getProperty("host.assets");
        return root == null ? null : new File(root, path).list();
    }

    @Override
    public void close() {}
}
