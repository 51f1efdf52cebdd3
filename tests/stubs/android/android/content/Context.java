// COMPILE STUB (tests only, never shipped). Android SDK (android.jar) signatures, Java like the original,
// so Kotlin sees platform types and property syntax (context.filesDir, context.assets) works.
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
