package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PushDataParserTest {

    private final PushDataParser parser = new PushDataParser(new ObjectMapper());

    private PushDataParser.PushData parse(String json) throws Exception {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return parser.parse(b, 0, b.length);
    }

    @Test
    void readsTheProtocolExampleAndSx1302Fields() throws Exception {
        PushDataParser.PushData d = parse("""
                {"rxpk":[{"time":"2013-03-31T16:21:17.528002Z","tmst":3512348611,"chan":2,"rfch":0,"freq":866.349812,
                  "stat":1,"modu":"LORA","datr":"SF7BW125","codr":"4/6","rssi":-35,"lsnr":5.1,"size":32,"data":"QAQD"},
                 {"jver":1,"tmst":1,"chan":0,"rfch":1,"freq":868.1,"stat":-1,"modu":"LORA","datr":"SF12BW125","codr":"4/5",
                  "rsig":[{"ant":0,"chan":0,"rssic":-101,"lsnr":-7.25},{"ant":1,"chan":8,"rssic":-120,"lsnr":-20}],"data":"AA=="},
                 [1,2], {"data":7}],
                 "stat":{"time":"2014-01-12 08:59:28 GMT","rxnb":2,"ackr":100.0},"extra":{"x":[1,{"y":2}]}}
                """);
        assertEquals(4, d.rxpk().size());
        PushDataParser.Rxpk a = d.rxpk().get(0);
        assertEquals("QAQD", a.data);
        assertEquals(3512348611L, a.tmst);
        assertEquals(866.349812, a.freq);
        assertEquals(-35.0, a.rssiValue());
        assertEquals(5.1, a.snrValue());
        assertEquals("SF7BW125", a.datr);
        assertEquals("4/6", a.codr);
        assertEquals(2, a.chan);
        PushDataParser.Rxpk b = d.rxpk().get(1);
        assertEquals(-1, b.crc);
        assertEquals(-101.0, b.rssiValue());
        assertEquals(-7.25, b.snrValue());
        assertTrue(d.rxpk().get(2).notAnObject);
        assertNull(d.rxpk().get(3).data);
        assertEquals(2, d.stat().get("rxnb").asInt());
    }

    @Test
    void rejectsWhatIsNotAPushDataObject() {
        for (String json : new String[] {"", "[]", "42", "{\"rxpk\":{}}", "{\"stat\":[1]}", "{\"rxpk\":[{\"data\":\"x\"}]",
                "{\"rxpk\":[]} {}", "{\"rxpk\":[{\"data\":\"x\",}]}", "{\"stat\":{\"rxnb\":1}} x"}) {
            assertThrows(PushDataParser.MalformedException.class, () -> parse(json), json);
        }
    }
}
