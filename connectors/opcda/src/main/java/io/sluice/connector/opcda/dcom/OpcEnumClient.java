package io.sluice.connector.opcda.dcom;

import io.sluice.connector.opcda.HResults;
import io.sluice.connector.opcda.OpcDaException;
import java.util.ArrayList;
import java.util.List;
import org.jinterop.dcom.common.JIException;
import org.jinterop.dcom.core.IJIComObject;
import org.jinterop.dcom.core.JIArray;
import org.jinterop.dcom.core.JICallBuilder;
import org.jinterop.dcom.core.JIClsid;
import org.jinterop.dcom.core.JIComServer;
import org.jinterop.dcom.core.JIFlags;
import org.jinterop.dcom.core.JIPointer;
import org.jinterop.dcom.core.JISession;
import org.jinterop.dcom.core.JIString;
import org.jinterop.dcom.impls.JIObjectFactory;

/** OPCEnum's IOPCServerList: which OPC DA servers a host has, and ProgID to CLSID. */
public final class OpcEnumClient {

    /** One registered server. */
    public record ServerInfo(String clsid, String progId, String description, List<String> specifications) {}

    private final IJIComObject serverList;

    public OpcEnumClient(JISession session, String host) {
        try {
            JIClsid clsid = JIClsid.valueOf(ComIds.CLSID_OpcServerList);
            clsid.setAutoRegistration(false);
            IJIComObject unknown = new JIComServer(clsid, host, session).createInstance();
            this.serverList = unknown.queryInterface(ComIds.IID_IOPCServerList);
        } catch (Exception e) {
            throw JiCalls.wrap("reaching OPCEnum on " + host + " (is the OPC Core Components' OpcEnum service installed?)", e);
        }
    }

    /** CLSIDFromProgID, or null when OPCEnum does not know the ProgID. */
    public String clsidOf(String progId) {
        JICallBuilder call = new JICallBuilder(true);
        call.setOpnum(ComIds.SERVERLIST_CLSID_FROM_PROGID);
        call.addInParamAsString(progId, JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR);
        call.addOutParamAsType(rpc.core.UUID.class, JIFlags.FLAG_NULL);
        try {
            Object[] r = JiCalls.call(serverList, call, "OPCEnum CLSIDFromProgID");
            return r[0].toString().toUpperCase(java.util.Locale.ROOT);
        } catch (OpcDaException e) {
            if (e.hresult() == HResults.CO_E_CLASSSTRING || e.hresult() == HResults.REGDB_E_CLASSNOTREG) return null;
            throw e;
        }
    }

    /** Every server registered as DA 1.0, 2.0 or 3.0, with its ProgID and description. */
    public List<ServerInfo> servers() {
        java.util.Map<String, List<String>> specsByClsid = new java.util.LinkedHashMap<>();
        String[][] categories = {{ComIds.CATID_OPCDAServer10, "DA1.0"}, {ComIds.CATID_OPCDAServer20, "DA2.0"},
                {ComIds.CATID_OPCDAServer30, "DA3.0"}};
        for (String[] cat : categories) {
            for (String clsid : classesOf(cat[0])) {
                specsByClsid.computeIfAbsent(clsid, k -> new ArrayList<>()).add(cat[1]);
            }
        }
        List<ServerInfo> out = new ArrayList<>();
        specsByClsid.forEach((clsid, specs) -> {
            String[] details = details(clsid);
            out.add(new ServerInfo(clsid, details[0], details[1], List.copyOf(specs)));
        });
        return out;
    }

    private List<String> classesOf(String catid) {
        JICallBuilder call = new JICallBuilder(true);
        call.setOpnum(ComIds.SERVERLIST_ENUM_CLASSES);
        call.addInParamAsInt(1, JIFlags.FLAG_NULL);
        call.addInParamAsArray(new JIArray(new rpc.core.UUID[] {new rpc.core.UUID(catid)}, true), JIFlags.FLAG_NULL);
        call.addInParamAsInt(0, JIFlags.FLAG_NULL);
        call.addInParamAsPointer(new JIPointer(null), JIFlags.FLAG_NULL);
        call.addOutParamAsType(IJIComObject.class, JIFlags.FLAG_NULL);
        Object[] r = JiCalls.call(serverList, call, "OPCEnum EnumClassesOfCategories");
        List<String> out = new ArrayList<>();
        for (Object o : JiEnums.guids(narrow((IJIComObject) r[0]))) {
            out.add(o.toString().toUpperCase(java.util.Locale.ROOT));
        }
        return out;
    }

    private String[] details(String clsid) {
        JICallBuilder call = new JICallBuilder(true);
        call.setOpnum(ComIds.SERVERLIST_CLASS_DETAILS);
        call.addInParamAsUUID(clsid, JIFlags.FLAG_NULL);
        call.addOutParamAsObject(new JIPointer(new JIString(JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR)), JIFlags.FLAG_NULL);
        call.addOutParamAsObject(new JIPointer(new JIString(JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR)), JIFlags.FLAG_NULL);
        try {
            Object[] r = JiCalls.call(serverList, call, "OPCEnum GetClassDetails");
            return new String[] {JiEnums.string(r[0]), JiEnums.string(r[1])};
        } catch (OpcDaException e) {
            if (e.connectionLost()) throw e;
            return new String[] {"", "(details unavailable: " + HResults.describe(e.hresult()) + ")"};
        }
    }

    static IJIComObject narrow(IJIComObject o) {
        try {
            return JIObjectFactory.narrowObject(o);
        } catch (JIException e) {
            throw JiCalls.wrap("narrowing a COM object", e);
        }
    }
}
