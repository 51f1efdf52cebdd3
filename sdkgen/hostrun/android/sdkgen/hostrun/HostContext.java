// HOST STAND-IN (sdkgen host runs): the Context of a host run. Assets come from the folder named by the
// system property sdkgen.hostrun.assets; files, cache and no-backup folders are under sdkgen.hostrun.data.
package sdkgen.hostrun;

import android.content.Context;
import android.content.res.AssetManager;
import android.content.res.HostAssetManagers;
import java.io.File;

public final class HostContext extends Context {
    private static HostContext instance;
    private final AssetManager assets;
    private final File data;

    private HostContext(File assets, File data) {
        this.assets = HostAssetManagers.at(assets);
        this.data = data;
    }

    public static synchronized HostContext get() {
        if (instance == null) {
            instance = new HostContext(new File(property("sdkgen.hostrun.assets")), new File(property("sdkgen.hostrun.data")));
        }
        return instance;
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null) throw new IllegalStateException("system property " + name + " is not set");
        return v;
    }

    private File dir(String name) {
        File d = new File(data, name);
        d.mkdirs();
        return d;
    }

    @Override public AssetManager getAssets() { return assets; }
    @Override public File getFilesDir() { return dir("files"); }
    @Override public File getCacheDir() { return dir("cache"); }
    @Override public File getNoBackupFilesDir() { return dir("no_backup"); }
    @Override public File getExternalFilesDir(String type) { return null; }
    @Override public Context getApplicationContext() { return this; }
    @Override public String getPackageName() { return "sdkgen.hostrun"; }
}
