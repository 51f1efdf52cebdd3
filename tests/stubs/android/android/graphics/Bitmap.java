// COMPILE STUB (tests only, never shipped). Android SDK (android.jar) signatures.
package android.graphics;

public final class Bitmap {
    Bitmap() {}

    public static Bitmap createScaledBitmap(Bitmap src, int dstWidth, int dstHeight, boolean filter) {
        throw new UnsupportedOperationException("stub");
    }

    public int getWidth() {
        throw new UnsupportedOperationException("stub");
    }

    public int getHeight() {
        throw new UnsupportedOperationException("stub");
    }

    public void getPixels(int[] pixels, int offset, int stride, int x, int y, int width, int height) {
        throw new UnsupportedOperationException("stub");
    }

    public void recycle() {
        throw new UnsupportedOperationException("stub");
    }
}
