// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). The android.jar members the generated
// libraries use; sdkgen.hostrun.HostContext is the concrete context of a host run.
package android.content;

import android.content.res.AssetManager;
import java.io.File;

public abstract class Context {
    public Context() {}

    public abstract AssetManager getAssets();

    public abstract File getFilesDir();

    public abstract File getCacheDir();

    public abstract File getNoBackupFilesDir();

    /** May return null when shared storage is not available. */
    public abstract File getExternalFilesDir(String type);

    public abstract Context getApplicationContext();

    public abstract String getPackageName();
}
