// COMPILE STUB (tests only, never shipped). Android SDK (android.jar) signatures, the getters that
// instrumentation arguments need (InstrumentationRegistry.getArguments()).
package android.os;

public final class Bundle {
    public Bundle() {}

    public boolean containsKey(String key) { throw new UnsupportedOperationException("stub"); }
    public String getString(String key) { throw new UnsupportedOperationException("stub"); }
    public String getString(String key, String defaultValue) { throw new UnsupportedOperationException("stub"); }
    public int getInt(String key, int defaultValue) { throw new UnsupportedOperationException("stub"); }
    public boolean getBoolean(String key, boolean defaultValue) { throw new UnsupportedOperationException("stub"); }
}
