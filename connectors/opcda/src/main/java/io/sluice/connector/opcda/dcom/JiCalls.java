package io.sluice.connector.opcda.dcom;

import io.sluice.connector.opcda.HResults;
import io.sluice.connector.opcda.OpcDaException;
import java.io.IOException;
import java.util.Set;
import org.jinterop.dcom.common.JIException;
import org.jinterop.dcom.core.IJIComObject;
import org.jinterop.dcom.core.JIArray;
import org.jinterop.dcom.core.JICallBuilder;
import org.jinterop.dcom.core.JIPointer;

/** Calls through j-Interop with the two things it does not do itself: success codes other than S_OK, and error mapping. */
final class JiCalls {

    /** HRESULTs that mean the server or the path to it is gone, not that one request was wrong. */
    private static final Set<Integer> LOST = Set.of(HResults.RPC_S_SERVER_UNAVAILABLE, 0x800706BE /* RPC_S_CALL_FAILED */,
            0x800706BF /* RPC_S_CALL_FAILED_DNE */, 0x80010108 /* RPC_E_DISCONNECTED */, 0x80010114 /* RPC_E_SERVERFAULT */,
            0x80070006 /* E_HANDLE */, 0x800706B5 /* RPC_S_UNKNOWN_IF */, 0x80080005 /* CO_E_SERVER_EXEC_FAILURE */);

    private JiCalls() {}

    /**
     * Calls and returns the out parameters. j-Interop throws for every HRESULT other than S_OK; for success codes
     * (S_FALSE when some items failed, OPC_S_UNSUPPORTEDRATE, ...) the results are still there and are returned.
     */
    static Object[] call(IJIComObject object, JICallBuilder call, String what) {
        try {
            return object.call(call);
        } catch (JIException e) {
            // A COM success code (severity bit clear) with a parsed response: S_FALSE, OPC_S_UNSUPPORTEDRATE, ...
            if (e.getErrorCode() > 0 && call.getResultsInCaseOfException() != null) {
                return call.getResultsInCaseOfException();
            }
            throw wrap(what, e);
        } catch (RuntimeException e) {
            throw new OpcDaException(what + " failed: " + message(e), 0, true, e);
        }
    }

    static OpcDaException wrap(String what, Throwable e) {
        int code = e instanceof JIException j ? j.getErrorCode() : 0;
        boolean lost = !(e instanceof JIException) || LOST.contains(code) || hasIoCause(e);
        return new OpcDaException(what + " failed: " + message(e), HResults.failed(code) ? code : 0, lost, e);
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) return true;
            if (t.getCause() == t) break;
        }
        return false;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root != e) {
            String rm = root.getMessage();
            text += " (" + root.getClass().getSimpleName() + (rm == null || rm.isBlank() ? "" : ": " + rm.strip()) + ")";
        }
        return text;
    }

    static Object[] arrayOf(Object pointerToArray) {
        Object referent = pointerToArray instanceof JIPointer p ? p.getReferent() : pointerToArray;
        if (referent == null) return new Object[0];
        Object instance = ((JIArray) referent).getArrayInstance();
        return instance == null ? new Object[0] : (Object[]) instance;
    }
}
