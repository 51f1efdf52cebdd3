// HOST STAND-IN (sdkgen host runs): not an Android API. Makes bitmaps for the README example of a host run.
package android.graphics;

public final class HostBitmaps {
    private HostBitmaps() {}

    /** A width x height bitmap whose pixels are a fixed gray gradient (opaque). */
    public static Bitmap gradient(int width, int height) {
        int[] argb = new int[width * height];
        for (int i = 0; i < argb.length; i++) {
            int v = (i * 255) / Math.max(1, argb.length - 1);
            argb[i] = 0xff000000 | (v << 16) | (v << 8) | v;
        }
        return new Bitmap(width, height, argb);
    }
}
