// HOST STAND-IN (sdkgen host runs): not an Android API. The instrumentation arguments of a host run.
package android.os;

public final class HostArguments {
    private HostArguments() {}

    public static Bundle get() {
        return Bundle.hostArguments();
    }
}
