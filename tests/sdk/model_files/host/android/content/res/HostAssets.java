// HOST STAND-IN (tests only, never shipped): how a host test gets an AssetManager (the framework makes them).
package android.content.res;

public final class HostAssets {
    private HostAssets() {}

    public static AssetManager create() {
        return new AssetManager();
    }
}
