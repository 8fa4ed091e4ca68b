package io.sluice.connector.opcda.dcom;

import io.sluice.connector.opcda.OpcDaSessionFactory.ConnectionSettings;
import org.jinterop.dcom.core.JISession;

/** A bare authenticated DCOM session (for OPCEnum), for callers outside this package. */
public final class JiSessions {

    private JiSessions() {}

    public static JISession open(ConnectionSettings settings) {
        return JiSessionFactory.newSession(settings);
    }

    public static void close(JISession session) {
        JiSessionFactory.destroy(session);
    }
}
