// HOST STAND-IN (sdkgen host runs, never shipped in an SDK). A Bundle; the instrumentation arguments of a host
// run come from the system properties named sdkgen.hostrun.arg.<key> (see HostArguments).
package android.os;

import java.util.HashMap;
import java.util.Map;

public final class Bundle {
    private final Map<String, Object> values = new HashMap<>();

    public Bundle() {}

    /** Host only: the bundle of instrumentation arguments (system properties sdkgen.hostrun.arg.*). */
    static Bundle hostArguments() {
        Bundle b = new Bundle();
        String prefix = "sdkgen.hostrun.arg.";
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(prefix)) b.values.put(name.substring(prefix.length()), System.getProperty(name));
        }
        return b;
    }

    public boolean containsKey(String key) { return values.containsKey(key); }
    public String getString(String key) { Object v = values.get(key); return v instanceof String ? (String) v : null; }
    public String getString(String key, String defaultValue) { String v = getString(key); return v == null ? defaultValue : v; }
    public int getInt(String key, int defaultValue) { Object v = values.get(key); return v instanceof Integer ? (Integer) v : defaultValue; }
    public boolean getBoolean(String key, boolean defaultValue) { Object v = values.get(key); return v instanceof Boolean ? (Boolean) v : defaultValue; }
}
