package io.sluice.connector.lorawan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the JSON of a PUSH_DATA with Jackson's streaming parser (a tree per datagram costs more than the frame
 * security). The whole document is read before anything is handed on, so a datagram whose JSON breaks half way is
 * malformed as a whole. Unknown keys are skipped.
 */
final class PushDataParser {

    /** One {@code rxpk} entry; {@code data} null when missing or not a string, {@code notAnObject} for junk entries. */
    static final class Rxpk {
        boolean notAnObject;
        String data;
        String time;
        long tmst = -1;
        double freq;
        int chan = -1;
        int rfch = -1;
        int crc = 1;
        String datr;
        String codr;
        Double rssi;
        Double rssis;
        Double lsnr;
        Double rsigRssic;
        Double rsigLsnr;

        double rssiValue() {
            return rssi != null ? rssi : rssis != null ? rssis : rsigRssic != null ? rsigRssic : 0;
        }

        double snrValue() {
            return lsnr != null ? lsnr : rsigLsnr != null ? rsigLsnr : 0;
        }
    }

    /** The parsed document: {@code rxpk} entries (empty when absent) and {@code stat} (null when absent). */
    record PushData(List<Rxpk> rxpk, JsonNode stat) {}

    /** Why a document is not a valid PUSH_DATA body. */
    static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    private final ObjectMapper mapper;
    private final JsonFactory factory;

    /** @param mapper reads the {@code stat} and {@code rsig} sub-trees; it must not fail on trailing tokens */
    PushDataParser(ObjectMapper mapper) {
        this.mapper = mapper;
        this.factory = mapper.getFactory();
    }

    PushData parse(byte[] d, int offset, int length) throws MalformedException {
        try (JsonParser p = factory.createParser(d, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedException("does not carry a JSON object");
            }
            List<Rxpk> rxpk = new ArrayList<>(4);
            JsonNode stat = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("rxpk".equals(name)) {
                    if (v != JsonToken.START_ARRAY) {
                        throw new MalformedException("'rxpk' must be an array");
                    }
                    rxpk.clear();
                    while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
                        rxpk.add(entry(p, v));
                    }
                } else if ("stat".equals(name)) {
                    if (v != JsonToken.START_OBJECT) {
                        throw new MalformedException("'stat' must be an object");
                    }
                    stat = mapper.readTree(p);
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new MalformedException("JSON does not end after its object");
            }
            return new PushData(rxpk, stat);
        } catch (IOException e) {
            throw new MalformedException("broken JSON");
        }
    }

    private Rxpk entry(JsonParser p, JsonToken start) throws IOException {
        Rxpk r = new Rxpk();
        if (start != JsonToken.START_OBJECT) {
            p.skipChildren();
            r.notAnObject = true;
            return r;
        }
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "data" -> r.data = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "time" -> r.time = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "tmst" -> r.tmst = v.isNumeric() ? p.getValueAsLong(-1) : -1;
                case "freq" -> r.freq = v.isNumeric() ? p.getValueAsDouble(0) : 0;
                case "chan" -> r.chan = v.isNumeric() ? p.getValueAsInt(-1) : -1;
                case "rfch" -> r.rfch = v.isNumeric() ? p.getValueAsInt(-1) : -1;
                case "stat" -> r.crc = v.isNumeric() || v == JsonToken.VALUE_STRING ? p.getValueAsInt(1) : 1;
                case "datr" -> r.datr = v.isScalarValue() && v != JsonToken.VALUE_NULL ? p.getText() : null;
                case "codr" -> r.codr = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "rssi" -> r.rssi = v.isNumeric() ? p.getValueAsDouble() : null;
                case "rssis" -> r.rssis = v.isNumeric() ? p.getValueAsDouble() : null;
                case "lsnr" -> r.lsnr = v.isNumeric() ? p.getValueAsDouble() : null;
                case "rsig" -> rsig(p, v, r);
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new IOException("broken rxpk");
        }
        return r;
    }

    /** The first antenna of an SX1302 {@code rsig} array. */
    private void rsig(JsonParser p, JsonToken v, Rxpk r) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        boolean first = true;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (first && t == JsonToken.START_OBJECT) {
                JsonNode n = mapper.readTree(p);
                if (n.path("rssic").isNumber()) r.rsigRssic = n.path("rssic").asDouble();
                if (n.path("lsnr").isNumber()) r.rsigLsnr = n.path("lsnr").asDouble();
            } else {
                p.skipChildren();
            }
            first = false;
        }
    }
}
