package io.sluice.gateway.greengrass;

import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shape of a sample on the local bus, built as plain maps and lists so it can travel as an IPC
 * {@code JsonMessage} as well as encoded bytes:
 *
 * <pre>{@code
 * {"stream": "telemetry", "sequence": 42, "connector": "line1-plc", "tag": "boiler.temperature",
 *  "type": "float", "value": 81.5, "quality": "GOOD", "statusCode": 0, "unit": "degC",
 *  "sourceTime": "2026-11-22T05:40:00.123Z", "serverTime": "2026-11-22T05:40:00.124Z",
 *  "receiveTime": "2026-11-22T05:40:00.125Z",
 *  "asset": {"site": "hamburg", "machine": "press-3"}}
 * }</pre>
 *
 * {@code serverTime} appears for sources with a server clock (OPC UA). Bytes are base64 strings, arrays are lists, structures are objects; NaN and infinities are the strings
 * {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} (JSON has no numbers for them).
 */
final class SampleJson {

    private SampleJson() {}

    static Map<String, Object> toMap(OutboundSample s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stream", s.stream());
        m.put("sequence", s.sequence());
        m.put("connector", s.connector());
        m.put("tag", s.sample().tag());
        m.put("type", s.sample().value().typeName());
        m.put("value", value(s.sample().value()));
        m.put("quality", s.sample().quality().name());
        m.put("statusCode", s.sample().statusCode());
        if (s.sample().unit() != null) {
            m.put("unit", s.sample().unit());
        }
        m.put("sourceTime", s.sample().sourceTime().toString());
        if (s.sample().hasServerTime()) m.put("serverTime", s.sample().serverTime().toString());
        m.put("receiveTime", s.sample().receiveTime().toString());
        if (s.asset() != null && !s.asset().levels().isEmpty()) {
            m.put("asset", new LinkedHashMap<>(s.asset().levels()));
        }
        return m;
    }

    static Object value(Value v) {
        if (v instanceof Value.BoolValue b) return b.value();
        if (v instanceof Value.IntValue i) return i.value();
        if (v instanceof Value.FloatValue f) {
            double d = f.value();
            return Double.isFinite(d) ? (Object) d : Double.toString(d);
        }
        if (v instanceof Value.StringValue s) return s.value();
        if (v instanceof Value.BytesValue b) return Base64.getEncoder().encodeToString(b.value());
        if (v instanceof Value.ArrayValue a) {
            List<Object> out = new ArrayList<>(a.elements().size());
            a.elements().forEach(e -> out.add(value(e)));
            return out;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        ((Value.StructValue) v).fields().forEach((k, e) -> out.put(k, value(e)));
        return out;
    }
}
