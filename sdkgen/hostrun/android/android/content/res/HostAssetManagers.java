// HOST STAND-IN (sdkgen host runs): not an Android API. Makes the AssetManager of a host run.
package android.content.res;

import java.io.File;

public final class HostAssetManagers {
    private HostAssetManagers() {}

    public static AssetManager at(File root) {
        return new AssetManager(root);
    }
}
