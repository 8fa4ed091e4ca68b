package io.sluice.connector.opcda.dcom;

import java.util.logging.Level;
import org.jinterop.dcom.common.JISystem;

/** One-time j-Interop settings: no automatic registry changes on the server, no log file, quiet logging. */
final class JiRuntime {

    private static volatile boolean configured;

    private JiRuntime() {}

    static synchronized void configure() {
        if (configured) return;
        // Auto-registration would edit the server's registry for IDispatch surrogates; OPC DA needs none of it.
        JISystem.setAutoRegisteration(false);
        try {
            JISystem.setInBuiltLogHandler(false);
        } catch (Exception e) {
            // j-Interop then logs through java.util.logging's default handlers; nothing else depends on it.
        }
        JISystem.getLogger().setLevel(Level.WARNING);
        configured = true;
    }
}
