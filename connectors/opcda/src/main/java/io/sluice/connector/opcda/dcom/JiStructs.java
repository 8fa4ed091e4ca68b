package io.sluice.connector.opcda.dcom;

import io.sluice.connector.opcda.FileTime;
import java.time.Instant;
import org.jinterop.dcom.common.JIException;
import org.jinterop.dcom.core.JIArray;
import org.jinterop.dcom.core.JIFlags;
import org.jinterop.dcom.core.JIPointer;
import org.jinterop.dcom.core.JIString;
import org.jinterop.dcom.core.JIStruct;
import org.jinterop.dcom.core.JIVariant;

/** NDR layouts of the OPC structures, as j-Interop struct templates. */
final class JiStructs {

    private JiStructs() {}

    /** FILETIME { DWORD dwLowDateTime; DWORD dwHighDateTime; }. */
    static JIStruct fileTime() throws JIException {
        JIStruct s = new JIStruct();
        s.addMember(Integer.class);
        s.addMember(Integer.class);
        return s;
    }

    /** Null for a zero FILETIME (no timestamp). */
    static Instant instant(Object fileTimeStruct) {
        JIStruct s = (JIStruct) fileTimeStruct;
        long ft = FileTime.fromHalves((Integer) s.getMember(0), (Integer) s.getMember(1));
        return ft == 0 ? null : FileTime.toInstant(ft);
    }

    /** OPCITEMDEF (in). */
    static JIStruct itemDef(String accessPath, String itemId, boolean active, int clientHandle, short vt) throws JIException {
        JIStruct s = new JIStruct();
        s.addMember(new JIString(accessPath == null ? "" : accessPath, JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR));
        s.addMember(new JIString(itemId, JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR));
        s.addMember(Integer.valueOf(active ? 1 : 0));
        s.addMember(Integer.valueOf(clientHandle));
        s.addMember(Integer.valueOf(0));          // dwBlobSize
        s.addMember(new JIPointer(null));          // pBlob
        s.addMember(Short.valueOf(vt));            // vtRequestedDataType
        s.addMember(Short.valueOf((short) 0));     // wReserved
        return s;
    }

    /** OPCITEMRESULT (out). */
    static JIStruct itemResult() throws JIException {
        JIStruct s = new JIStruct();
        s.addMember(Integer.class);                // hServer
        s.addMember(Short.class);                  // vtCanonicalDataType
        s.addMember(Short.class);                  // wReserved
        s.addMember(Integer.class);                // dwAccessRights
        s.addMember(Integer.class);                // dwBlobSize
        s.addMember(new JIPointer(new JIArray(Byte.class, null, 1, true)));
        return s;
    }

    /** OPCITEMSTATE (out). */
    static JIStruct itemState() throws JIException {
        JIStruct s = new JIStruct();
        s.addMember(Integer.class);                // hClient
        s.addMember(fileTime());                   // ftTimeStamp
        s.addMember(Short.class);                  // wQuality
        s.addMember(Short.class);                  // wReserved
        s.addMember(JIVariant.class);              // vDataValue
        return s;
    }

    /** OPCSERVERSTATUS (out); OPCSERVERSTATE is an NDR enum, 16 bits on the wire. */
    static JIStruct serverStatus() throws JIException {
        JIStruct s = new JIStruct();
        s.addMember(fileTime());                   // ftStartTime
        s.addMember(fileTime());                   // ftCurrentTime
        s.addMember(fileTime());                   // ftLastUpdateTime
        s.addMember(Short.class);                  // dwServerState
        s.addMember(Integer.class);                // dwGroupCount
        s.addMember(Integer.class);                // dwBandWidth
        s.addMember(Short.class);                  // wMajorVersion
        s.addMember(Short.class);                  // wMinorVersion
        s.addMember(Short.class);                  // wBuildNumber
        s.addMember(Short.class);                  // wReserved
        s.addMember(new JIPointer(new JIString(JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR))); // szVendorInfo
        return s;
    }
}
