package org.jinterop.dcom.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ndr.NdrBuffer;
import ndr.NetworkDataRepresentation;

/**
 * Test helper: encodes an object with j-Interop's own NDR marshaller and decodes it again, the way a call's
 * parameters travel. It lives in j-Interop's package because the marshaller is package-private; it lets the
 * VARIANT tests decode real wire bytes instead of hand-built objects.
 */
public final class NdrWire {

    private NdrWire() {}

    /** Encodes {@code value} and decodes it as {@code template} (a Class or a template object such as a JIStruct). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Object roundTrip(Object value, Object template) {
        NetworkDataRepresentation out = new NetworkDataRepresentation();
        out.setBuffer(new NdrBuffer(new byte[1 << 16], 0));
        List deferred = new ArrayList();
        JIMarshalUnMarshalHelper.serialize(out, value.getClass(), value, deferred, JIFlags.FLAG_NULL);
        for (int x = 0; x < deferred.size(); ) {
            List more = new ArrayList();
            JIMarshalUnMarshalHelper.serialize(out, JIPointer.class, deferred.get(x), more, JIFlags.FLAG_NULL);
            x++;
            deferred.addAll(x, more);
        }
        NetworkDataRepresentation in = new NetworkDataRepresentation();
        in.setBuffer(new NdrBuffer(Arrays.copyOf(out.getBuffer().getBuffer(), 1 << 16), 0));
        List pending = new ArrayList();
        Map additional = new HashMap();
        Object decoded = JIMarshalUnMarshalHelper.deSerialize(in, template, pending, JIFlags.FLAG_NULL, additional);
        for (int x = 0; x < pending.size(); ) {
            List more = new ArrayList();
            JIPointer replacement = (JIPointer) JIMarshalUnMarshalHelper.deSerialize(in, pending.get(x), more, JIFlags.FLAG_NULL, additional);
            ((JIPointer) pending.get(x)).replaceSelfWithNewPointer(replacement);
            x++;
            pending.addAll(x, more);
        }
        return decoded;
    }

    public static JIVariant roundTrip(JIVariant variant) {
        return (JIVariant) roundTrip(variant, JIVariant.class);
    }
}
