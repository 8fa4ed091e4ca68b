package io.sluice.connector.opcda.dcom;

import io.sluice.connector.opcda.HResults;
import io.sluice.connector.opcda.OpcDaServerSession.DataListener;
import io.sluice.connector.opcda.OpcDaServerSession.ItemState;
import io.sluice.spi.Value;
import java.util.ArrayList;
import java.util.List;
import org.jinterop.dcom.common.JIException;
import org.jinterop.dcom.core.JIArray;
import org.jinterop.dcom.core.JIFlags;
import org.jinterop.dcom.core.JILocalCoClass;
import org.jinterop.dcom.core.JILocalInterfaceDefinition;
import org.jinterop.dcom.core.JILocalMethodDescriptor;
import org.jinterop.dcom.core.JILocalParamsDescriptor;
import org.jinterop.dcom.core.JIVariant;

/**
 * The gateway's IOPCDataCallback, exported to the server through j-Interop's local COM object support. j-Interop
 * calls the public methods below by name, with the parameters described in {@link #coClass()}.
 */
public final class JiDataCallback {

    private final DataListener listener;
    private final java.time.ZoneId dateZone;

    JiDataCallback(DataListener listener, java.time.ZoneId dateZone) {
        this.listener = listener;
        this.dateZone = dateZone;
    }

    JILocalCoClass coClass() throws JIException {
        JILocalCoClass coClass = new JILocalCoClass(new JILocalInterfaceDefinition(ComIds.IID_IOPCDataCallback, false), this, false);
        JILocalInterfaceDefinition def = coClass.getInterfaceDefinition();
        def.addMethodDescriptor(new JILocalMethodDescriptor("OnDataChange", valuesParams()));
        def.addMethodDescriptor(new JILocalMethodDescriptor("OnReadComplete", valuesParams()));
        JILocalParamsDescriptor write = new JILocalParamsDescriptor();
        for (int i = 0; i < 4; i++) write.addInParamAsType(Integer.class, JIFlags.FLAG_NULL);
        write.addInParamAsObject(new JIArray(Integer.class, null, 1, true), JIFlags.FLAG_NULL);
        write.addInParamAsObject(new JIArray(Integer.class, null, 1, true), JIFlags.FLAG_NULL);
        def.addMethodDescriptor(new JILocalMethodDescriptor("OnWriteComplete", write));
        JILocalParamsDescriptor cancel = new JILocalParamsDescriptor();
        cancel.addInParamAsType(Integer.class, JIFlags.FLAG_NULL);
        cancel.addInParamAsType(Integer.class, JIFlags.FLAG_NULL);
        def.addMethodDescriptor(new JILocalMethodDescriptor("OnCancelComplete", cancel));
        coClass.setSupportedEventInterfaces(List.of(ComIds.IID_IOPCDataCallback));
        return coClass;
    }

    /** dwTransid, hGroup, hrMasterquality, hrMastererror, dwCount, phClientItems, pvValues, pwQualities, pftTimeStamps, pErrors. */
    private static JILocalParamsDescriptor valuesParams() throws JIException {
        JILocalParamsDescriptor p = new JILocalParamsDescriptor();
        for (int i = 0; i < 5; i++) p.addInParamAsType(Integer.class, JIFlags.FLAG_NULL);
        p.addInParamAsObject(new JIArray(Integer.class, null, 1, true), JIFlags.FLAG_NULL);
        p.addInParamAsObject(new JIArray(JIVariant.class, null, 1, true), JIFlags.FLAG_NULL);
        p.addInParamAsObject(new JIArray(Short.class, null, 1, true), JIFlags.FLAG_NULL);
        p.addInParamAsObject(new JIArray(JiStructs.fileTime(), null, 1, true), JIFlags.FLAG_NULL);
        p.addInParamAsObject(new JIArray(Integer.class, null, 1, true), JIFlags.FLAG_NULL);
        return p;
    }

    public Object[] OnDataChange(int transactionId, int groupHandle, int masterQuality, int masterError, int count,
                                 JIArray clientHandles, JIArray values, JIArray qualities, JIArray timestamps, JIArray errors) {
        try {
            listener.onDataChange(groupHandle, states(count, clientHandles, values, qualities, timestamps, errors, dateZone));
        } catch (RuntimeException e) {
            // Never let an exception travel back into the server's thread; the connector counts what it drops.
        }
        return new Object[] {HResults.S_OK};
    }

    public Object[] OnReadComplete(int transactionId, int groupHandle, int masterQuality, int masterError, int count,
                                   JIArray clientHandles, JIArray values, JIArray qualities, JIArray timestamps, JIArray errors) {
        return new Object[] {HResults.S_OK};
    }

    public Object[] OnWriteComplete(int transactionId, int groupHandle, int masterError, int count, JIArray clientHandles, JIArray errors) {
        return new Object[] {HResults.S_OK};
    }

    public Object[] OnCancelComplete(int transactionId, int groupHandle) {
        return new Object[] {HResults.S_OK};
    }

    static List<ItemState> states(int count, JIArray clientHandles, JIArray values, JIArray qualities, JIArray timestamps,
                                  JIArray errors, java.time.ZoneId dateZone) {
        Object[] handles = JiCalls.arrayOf(clientHandles);
        Object[] vals = JiCalls.arrayOf(values);
        Object[] quals = JiCalls.arrayOf(qualities);
        Object[] times = JiCalls.arrayOf(timestamps);
        Object[] errs = JiCalls.arrayOf(errors);
        int n = Math.min(count, Math.min(handles.length, Math.min(vals.length, quals.length)));
        List<ItemState> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(state((Integer) handles[i], (JIVariant) vals[i], (Short) quals[i], i < times.length ? times[i] : null,
                    i < errs.length ? (Integer) errs[i] : 0, dateZone));
        }
        return out;
    }

    static ItemState state(int clientHandle, JIVariant variant, short quality, Object fileTime, int error, java.time.ZoneId dateZone) {
        Value value = null;
        String problem = null;
        try {
            value = VariantConverter.toValue(variant, dateZone);
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        return new ItemState(clientHandle, value, quality & 0xFFFF, fileTime == null ? null : JiStructs.instant(fileTime),
                error, problem);
    }
}
