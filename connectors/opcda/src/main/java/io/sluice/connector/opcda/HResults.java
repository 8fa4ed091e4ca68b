package io.sluice.connector.opcda;

import java.util.Map;

/** COM / OPC HRESULTs the connector meets, with readable names for logs and the CLI. */
public final class HResults {

    public static final int S_OK = 0;
    public static final int S_FALSE = 1;
    public static final int E_FAIL = 0x80004005;
    public static final int E_NOINTERFACE = 0x80004002;
    public static final int E_ACCESSDENIED = 0x80070005;
    public static final int OPC_E_INVALIDHANDLE = 0xC0040001;
    public static final int OPC_E_BADTYPE = 0xC0040004;
    public static final int OPC_E_UNKNOWNITEMID = 0xC0040007;
    public static final int OPC_E_INVALIDITEMID = 0xC0040008;
    public static final int OPC_E_UNKNOWNPATH = 0xC004000A;
    public static final int OPC_E_BADRIGHTS = 0xC0040006;
    public static final int CO_E_CLASSSTRING = 0x800401F3;
    public static final int REGDB_E_CLASSNOTREG = 0x80040154;
    public static final int RPC_S_SERVER_UNAVAILABLE = 0x800706BA;
    public static final int CONNECT_E_NOCONNECTION = 0x80040200;
    public static final int CONNECT_E_ADVISELIMIT = 0x80040201;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(S_OK, "S_OK"),
            Map.entry(S_FALSE, "S_FALSE"),
            Map.entry(E_FAIL, "E_FAIL"),
            Map.entry(E_NOINTERFACE, "E_NOINTERFACE (interface not supported)"),
            Map.entry(E_ACCESSDENIED, "E_ACCESSDENIED (check DCOM access and launch permissions)"),
            Map.entry(0x80070057, "E_INVALIDARG"),
            Map.entry(0x8007000E, "E_OUTOFMEMORY"),
            Map.entry(OPC_E_INVALIDHANDLE, "OPC_E_INVALIDHANDLE"),
            Map.entry(OPC_E_BADTYPE, "OPC_E_BADTYPE (requested type not supported for this item)"),
            Map.entry(OPC_E_BADRIGHTS, "OPC_E_BADRIGHTS"),
            Map.entry(OPC_E_UNKNOWNITEMID, "OPC_E_UNKNOWNITEMID (no such item)"),
            Map.entry(OPC_E_INVALIDITEMID, "OPC_E_INVALIDITEMID (malformed ItemID)"),
            Map.entry(OPC_E_UNKNOWNPATH, "OPC_E_UNKNOWNPATH (unknown access path)"),
            Map.entry(0xC0040009, "OPC_E_INVALIDFILTER"),
            Map.entry(0xC0040005, "OPC_E_PUBLIC"),
            Map.entry(0xC004000B, "OPC_E_RANGE"),
            Map.entry(0xC004000C, "OPC_E_DUPLICATENAME"),
            Map.entry(0x0004000D, "OPC_S_UNSUPPORTEDRATE"),
            Map.entry(0x0004000E, "OPC_S_CLAMP"),
            Map.entry(0x0004000F, "OPC_S_INUSE"),
            Map.entry(CO_E_CLASSSTRING, "CO_E_CLASSSTRING (unknown ProgID)"),
            Map.entry(REGDB_E_CLASSNOTREG, "REGDB_E_CLASSNOTREG (class not registered on the host)"),
            Map.entry(RPC_S_SERVER_UNAVAILABLE, "RPC_S_SERVER_UNAVAILABLE"),
            Map.entry(CONNECT_E_NOCONNECTION, "CONNECT_E_NOCONNECTION"),
            Map.entry(CONNECT_E_ADVISELIMIT, "CONNECT_E_ADVISELIMIT"),
            Map.entry(0x80080005, "CO_E_SERVER_EXEC_FAILURE (server could not be started)"),
            Map.entry(0x80010108, "RPC_E_DISCONNECTED (server object disconnected)"));

    private HResults() {}

    public static String describe(int hresult) {
        String name = NAMES.get(hresult);
        String hex = String.format("0x%08X", hresult);
        return name == null ? hex : name + " " + hex;
    }

    public static boolean failed(int hresult) {
        return hresult < 0;
    }
}
