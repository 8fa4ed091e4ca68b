package io.sluice.connector.opcda.dcom;

import io.sluice.connector.opcda.OpcDaConnectorConfig;
import io.sluice.connector.opcda.OpcDaException;
import io.sluice.connector.opcda.OpcDaServerSession;
import io.sluice.connector.opcda.OpcDaSessionFactory;
import io.sluice.connector.opcda.ServerId;
import org.jinterop.dcom.core.IJIComObject;
import org.jinterop.dcom.core.JICallBuilder;
import org.jinterop.dcom.core.JIClsid;
import org.jinterop.dcom.core.JIComServer;
import org.jinterop.dcom.core.JIFlags;
import org.jinterop.dcom.core.JIProgId;
import org.jinterop.dcom.core.JISession;

/** Opens DCOM sessions with j-Interop: NTLM logon, CLSID resolution, server activation, IOPCServer. */
public final class JiSessionFactory implements OpcDaSessionFactory {

    /** ProgID resolutions by host and ProgID, so a reconnect does not ask OPCEnum again. */
    private final java.util.Map<String, String> resolved = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public OpcDaServerSession open(ConnectionSettings s) {
        JiRuntime.configure();
        JISession session = newSession(s);
        try {
            JIComServer server;
            if (s.server() instanceof ServerId.ProgId p && s.progIdResolution() == OpcDaConnectorConfig.ProgIdResolution.REGISTRY) {
                JIProgId progId = JIProgId.valueOf(p.value());
                progId.setAutoRegistration(false);
                server = new JIComServer(progId, s.host(), session);
            } else {
                String clsid = s.server() instanceof ServerId.Clsid c ? c.value()
                        : resolved.computeIfAbsent(s.host() + "|" + s.server(), k -> resolveThroughOpcEnum(s, ((ServerId.ProgId) s.server()).value()));
                JIClsid id = JIClsid.valueOf(clsid);
                id.setAutoRegistration(false);
                server = new JIComServer(id, s.host(), session);
            }
            IJIComObject unknown = server.createInstance();
            IJIComObject opcServer = unknown.queryInterface(ComIds.IID_IOPCServer);
            setClientName(opcServer, s.clientName());
            return new JiServerSession(session, opcServer, s);
        } catch (OpcDaException e) {
            destroy(session);
            throw e;
        } catch (Exception e) {
            destroy(session);
            OpcDaException w = JiCalls.wrap("connecting to " + s.server() + " on " + s.host(), e);
            if (w.hresult() == io.sluice.connector.opcda.HResults.REGDB_E_CLASSNOTREG) {
                resolved.remove(s.host() + "|" + s.server()); // the server was re-registered: resolve afresh next time
            }
            throw w;
        }
    }

    static JISession newSession(ConnectionSettings s) {
        JiRuntime.configure();
        JISession session = JISession.createSession(s.domain(), s.user(), s.password().reveal());
        session.setGlobalSocketTimeout((int) Math.min(Integer.MAX_VALUE, s.socketTimeout().toMillis()));
        session.useSessionSecurity(s.sessionSecurity());
        return session;
    }

    private static String resolveThroughOpcEnum(ConnectionSettings s, String progId) {
        JISession enumSession = newSession(s);
        try {
            String clsid = new OpcEnumClient(enumSession, s.host()).clsidOf(progId);
            if (clsid == null) {
                throw new OpcDaException("OPCEnum on " + s.host() + " does not know the ProgID '" + progId
                        + "'; check the spelling (sluice opcda servers --host " + s.host() + ") or set clsid", 0, false, null);
            }
            return clsid;
        } finally {
            destroy(enumSession);
        }
    }

    /** IOPCCommon::SetClientName, so the server's diagnostics show who is connected; optional in DA 2.0. */
    private static void setClientName(IJIComObject opcServer, String clientName) {
        try {
            IJIComObject common = opcServer.queryInterface(ComIds.IID_IOPCCommon);
            JICallBuilder call = new JICallBuilder(true);
            call.setOpnum(ComIds.COMMON_SET_CLIENT_NAME);
            call.addInParamAsString(clientName, JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR);
            common.call(call);
        } catch (Exception e) {
            // DA 1.0 servers have no IOPCCommon; the name is cosmetic.
        }
    }

    static void destroy(JISession session) {
        try {
            JISession.destroySession(session);
        } catch (Exception e) {
            // The peer may already be gone; nothing left to release on this side.
        }
    }
}
