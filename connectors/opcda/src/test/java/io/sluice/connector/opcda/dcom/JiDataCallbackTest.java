package io.sluice.connector.opcda.dcom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.connector.opcda.FileTime;
import io.sluice.connector.opcda.OpcDaServerSession.ItemState;
import io.sluice.spi.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jinterop.dcom.core.JIArray;
import org.jinterop.dcom.core.JIFlags;
import org.jinterop.dcom.core.JIPointer;
import org.jinterop.dcom.core.JIString;
import org.jinterop.dcom.core.JIStruct;
import org.jinterop.dcom.core.JIVariant;
import org.jinterop.dcom.core.NdrWire;
import org.junit.jupiter.api.Test;

/** The callback and read paths from j-Interop objects (decoded from NDR where possible) to ItemState. */
class JiDataCallbackTest {

    static final Instant T = Instant.parse("2026-02-03T04:05:06.789Z");

    static JIStruct fileTime(Instant t) throws Exception {
        long ft = t == null ? 0 : FileTime.fromInstant(t);
        JIStruct s = new JIStruct();
        s.addMember(Integer.valueOf(FileTime.low(ft)));
        s.addMember(Integer.valueOf(FileTime.high(ft)));
        return s;
    }

    @Test
    void onDataChangeDeliversConvertedStatesAndAnswersSOk() throws Exception {
        List<ItemState> got = new ArrayList<>();
        int[] group = {0};
        JiDataCallback cb = new JiDataCallback((g, states) -> {
            group[0] = g;
            got.addAll(states);
        }, java.time.ZoneId.of("UTC"));
        cb.coClass(); // the interface description must build
        Object[] answer = cb.OnDataChange(1, 7, 0, 0, 3,
                new JIArray(new Integer[] {11, 12, 13}, true),
                new JIArray(new JIVariant[] {new JIVariant(42.5), new JIVariant(new JIString("on")), JIVariant.EMPTY()}, true),
                new JIArray(new Short[] {(short) 0xC0, (short) 0x56, (short) 0x20}, true),
                new JIArray(new JIStruct[] {fileTime(T), fileTime(T), fileTime(null)}, true),
                new JIArray(new Integer[] {0, 0, 0}, true));

        assertEquals(0, answer[0]);
        assertEquals(7, group[0]);
        assertEquals(3, got.size());
        assertEquals(new ItemState(11, Value.of(42.5), 0xC0, T, 0, null), got.get(0));
        assertEquals(new ItemState(12, Value.of("on"), 0x56, T, 0, null), got.get(1));
        assertEquals(13, got.get(2).clientHandle());
        assertNull(got.get(2).value());
        assertNull(got.get(2).timestamp(), "zero FILETIME means no timestamp");
        assertEquals("VT_EMPTY: the server sent no value", got.get(2).problem());
    }

    @Test
    void aThrowingListenerNeverReachesTheServer() throws Exception {
        JiDataCallback cb = new JiDataCallback((g, states) -> { throw new IllegalStateException("boom"); }, java.time.ZoneId.of("UTC"));
        Object[] answer = cb.OnDataChange(1, 7, 0, 0, 1, new JIArray(new Integer[] {1}, true),
                new JIArray(new JIVariant[] {new JIVariant(1)}, true), new JIArray(new Short[] {(short) 0xC0}, true),
                new JIArray(new JIStruct[] {fileTime(T)}, true), new JIArray(new Integer[] {0}, true));
        assertEquals(0, answer[0]);
    }

    @Test
    void itemStateStructSurvivesTheWire() throws Exception {
        JIStruct state = new JIStruct();
        state.addMember(Integer.valueOf(99));
        state.addMember(fileTime(T));
        state.addMember(Short.valueOf((short) 0xC1));
        state.addMember(Short.valueOf((short) 0));
        state.addMember(new JIVariant(-17));
        JIStruct decoded = (JIStruct) NdrWire.roundTrip(state, JiStructs.itemState());

        ItemState s = JiDataCallback.state((Integer) decoded.getMember(0), (JIVariant) decoded.getMember(4),
                (Short) decoded.getMember(2), decoded.getMember(1), 0, java.time.ZoneId.of("UTC"));
        assertEquals(new ItemState(99, Value.of(-17L), 0xC1, T.minusNanos(T.getNano() % 100), 0, null), s);
    }

    @Test
    void itemResultStructSurvivesTheWire() throws Exception {
        JIStruct r = new JIStruct();
        r.addMember(Integer.valueOf(0x1234));
        r.addMember(Short.valueOf((short) 5));
        r.addMember(Short.valueOf((short) 0));
        r.addMember(Integer.valueOf(3));
        r.addMember(Integer.valueOf(0));
        r.addMember(new JIPointer(null));
        JIStruct decoded = (JIStruct) NdrWire.roundTrip(r, JiStructs.itemResult());
        assertEquals(0x1234, decoded.getMember(0));
        assertEquals((short) 5, decoded.getMember(1));
        assertEquals(3, decoded.getMember(3));
    }

    @Test
    void serverStatusStructSurvivesTheWire() throws Exception {
        JIStruct s = new JIStruct();
        s.addMember(fileTime(T));
        s.addMember(fileTime(T.plusSeconds(60)));
        s.addMember(fileTime(T.plusSeconds(30)));
        s.addMember(Short.valueOf((short) 1));
        s.addMember(Integer.valueOf(2));
        s.addMember(Integer.valueOf(0));
        s.addMember(Short.valueOf((short) 1));
        s.addMember(Short.valueOf((short) 5));
        s.addMember(Short.valueOf((short) 123));
        s.addMember(Short.valueOf((short) 0));
        s.addMember(new JIPointer(new JIString("Matrikon", JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR)));
        JIStruct d = (JIStruct) NdrWire.roundTrip(s, JiStructs.serverStatus());
        assertEquals((short) 1, d.getMember(3));
        assertEquals(2, d.getMember(4));
        assertEquals((short) 123, d.getMember(8));
        assertEquals("Matrikon", JiEnums.string(d.getMember(10)));
        assertEquals(T.plusSeconds(60), JiStructs.instant(d.getMember(1)).plusNanos(T.getNano() % 100));
    }
}
