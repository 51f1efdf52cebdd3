// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). android.jar's Bitmap, the members the generated
// libraries use, over an ARGB_8888 pixel array. createScaledBitmap returns the source when the size is
// unchanged (as Android does for an immutable bitmap) and otherwise samples the nearest pixel, which is NOT
// Android's filtered scaling: a host run does not vouch for scaled images.
package android.graphics;

public final class Bitmap {
    private final int width;
    private final int height;
    private final int[] argb;
    private boolean recycled;

    Bitmap(int width, int height, int[] argb) {
        this.width = width;
        this.height = height;
        this.argb = argb;
    }

    public static Bitmap createScaledBitmap(Bitmap src, int dstWidth, int dstHeight, boolean filter) {
        if (dstWidth <= 0 || dstHeight <= 0) throw new IllegalArgumentException("width and height must be > 0");
        if (src.width == dstWidth && src.height == dstHeight) return src;
        int[] out = new int[dstWidth * dstHeight];
        for (int y = 0; y < dstHeight; y++) {
            for (int x = 0; x < dstWidth; x++) {
                out[y * dstWidth + x] = src.argb[(y * src.height / dstHeight) * src.width + x * src.width / dstWidth];
            }
        }
        return new Bitmap(dstWidth, dstHeight, out);
    }

    public int getWidth() {
        return width;
    }

    public int getHeight() {
        return height;
    }

    public void getPixels(int[] pixels, int offset, int stride, int x, int y, int width, int height) {
        if (recycled) throw new IllegalStateException("Can't call getPixels() on a recycled bitmap");
        if (x < 0 || y < 0 || x + width > this.width || y + height > this.height) {
            throw new IllegalArgumentException("x + width must be <= bitmap.width() and y + height <= bitmap.height()");
        }
        for (int row = 0; row < height; row++) {
            System.arraycopy(argb, (y + row) * this.width + x, pixels, offset + row * stride, width);
        }
    }

    public void recycle() {
        recycled = true;
    }
}
