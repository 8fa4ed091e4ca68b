package io.sluice.connector.opcda.dcom;

import io.sluice.connector.opcda.OpcDaException;
import java.util.ArrayList;
import java.util.List;
import org.jinterop.dcom.core.IJIComObject;
import org.jinterop.dcom.core.JIArray;
import org.jinterop.dcom.core.JICallBuilder;
import org.jinterop.dcom.core.JIFlags;
import org.jinterop.dcom.core.JIPointer;
import org.jinterop.dcom.core.JIString;

/** IEnumString and IEnumGUID, read to the end in batches. */
final class JiEnums {

    private static final int BATCH = 64;
    /** Guards against servers whose enumerators never end. */
    private static final int MAX = 1_000_000;

    private JiEnums() {}

    static List<String> strings(IJIComObject enumerator) {
        List<String> out = new ArrayList<>();
        if (enumerator == null) return out;
        IJIComObject e = iface(enumerator, ComIds.IID_IEnumString);
        while (out.size() < MAX) {
            JICallBuilder call = new JICallBuilder(true);
            call.setOpnum(ComIds.ENUM_NEXT);
            call.addInParamAsInt(BATCH, JIFlags.FLAG_NULL);
            call.addOutParamAsObject(new JIArray(new JIString(JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR), null, 1, true, true), JIFlags.FLAG_NULL);
            call.addOutParamAsType(Integer.class, JIFlags.FLAG_NULL);
            Object[] r = JiCalls.call(e, call, "IEnumString::Next");
            Object[] batch = JiCalls.arrayOf(r[0]);
            int fetched = (Integer) r[1];
            for (int i = 0; i < fetched && i < batch.length; i++) {
                out.add(string(batch[i]));
            }
            if (fetched < BATCH) break;
        }
        return out;
    }

    static List<Object> guids(IJIComObject enumerator) {
        List<Object> out = new ArrayList<>();
        if (enumerator == null) return out;
        IJIComObject e = iface(enumerator, ComIds.IID_IEnumGUID);
        while (out.size() < MAX) {
            JICallBuilder call = new JICallBuilder(true);
            call.setOpnum(ComIds.ENUM_NEXT);
            call.addInParamAsInt(BATCH, JIFlags.FLAG_NULL);
            // celt is sent twice for IEnumGUID (not for IEnumString): that is how the long-deployed openSCADA/Utgard
            // client talks to OPCEnum through j-Interop. Kept for compatibility; not verified in this project.
            call.addInParamAsInt(BATCH, JIFlags.FLAG_NULL);
            call.addOutParamAsObject(new JIArray(rpc.core.UUID.class, null, 1, true, true), JIFlags.FLAG_NULL);
            call.addOutParamAsType(Integer.class, JIFlags.FLAG_NULL);
            Object[] r = JiCalls.call(e, call, "IEnumGUID::Next");
            Object[] batch = JiCalls.arrayOf(r[0]);
            int fetched = (Integer) r[1];
            for (int i = 0; i < fetched && i < batch.length; i++) {
                out.add(batch[i]);
            }
            if (fetched < BATCH) break;
        }
        return out;
    }

    static String string(Object o) {
        Object v = o instanceof JIPointer p ? p.getReferent() : o;
        if (v instanceof JIString s) return s.getString() == null ? "" : s.getString();
        return v == null ? "" : v.toString();
    }

    private static IJIComObject iface(IJIComObject o, String iid) {
        try {
            return o.queryInterface(iid);
        } catch (Exception e) {
            throw JiCalls.wrap("QueryInterface " + iid, e);
        }
    }

    static OpcDaException unsupported(String what) {
        return new OpcDaException(what + " is not supported by this server", 0x80004001, false, null);
    }
}
