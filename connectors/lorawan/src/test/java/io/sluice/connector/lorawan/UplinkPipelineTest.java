package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Codec;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.testkit.FakeMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UplinkPipelineTest {

    static final String NWK = "2b7e151628aed2a6abf7158809cf4f3c";
    static final String APP = "000102030405060708090a0b0c0d0e0f";
    static final int ADDR = 0x26011f2a;

    @TempDir
    Path state;

    /** Builds an uplink with this test's own encoder (independent of the pipeline's decrypt path order). */
    static byte[] uplink(int devAddr, long fcnt32, int fport, byte[] plain) {
        byte[] nwk = HexFormat.of().parseHex(NWK);
        byte[] app = HexFormat.of().parseHex(APP);
        byte[] frame = new byte[8 + 1 + plain.length + 4];
        frame[0] = 0x40;
        frame[1] = (byte) devAddr;
        frame[2] = (byte) (devAddr >> 8);
        frame[3] = (byte) (devAddr >> 16);
        frame[4] = (byte) (devAddr >> 24);
        frame[5] = 0;
        frame[6] = (byte) fcnt32;
        frame[7] = (byte) (fcnt32 >> 8);
        frame[8] = (byte) fport;
        System.arraycopy(plain, 0, frame, 9, plain.length);
        try {
            PhyPayload parsed = PhyPayload.parse(frame);
            SessionCrypto c = new SessionCrypto(nwk, app);
            byte[] enc = c.decryptPayload(parsed, fcnt32);
            System.arraycopy(enc, 0, frame, 9, enc.length);
            int mic = c.dataMic(PhyPayload.parse(frame), fcnt32);
            frame[frame.length - 4] = (byte) (mic >>> 24);
            frame[frame.length - 3] = (byte) (mic >>> 16);
            frame[frame.length - 2] = (byte) (mic >>> 8);
            frame[frame.length - 1] = (byte) mic;
            return frame;
        } catch (FrameException e) {
            throw new AssertionError(e);
        }
    }

    private UplinkPipeline pipeline(FrameCounterStore store, FakeMetrics metrics) {
        LoRaWanConnectorConfig config = TestConfigs.udp(Map.of("lpp", TestConfigs.profile(Codec.CAYENNE_LPP)),
                Map.of("boiler", TestConfigs.device(String.format("%08x", ADDR), NWK, APP, "lpp")));
        return new UplinkPipeline(DeviceRegistry.build(config), store, 16384, 100, LoRaWanConnectorConfig.RadioMetadata.FULL, metrics);
    }

    private static byte[] temp(double celsius) {
        int raw = (int) Math.round(celsius * 10);
        return new byte[] {1, 103, (byte) (raw >> 8), (byte) raw};
    }

    @Test
    void countersRollOverPast65535AndReplaysAreRejected() throws Exception {
        FakeMetrics metrics = new FakeMetrics();
        UplinkPipeline p = pipeline(new FrameCounterStore(state), metrics);
        List<Sample> out = new ArrayList<>();
        long fcnt = 65_530;
        for (int i = 0; i < 12; i++, fcnt++) {
            assertEquals(UplinkPipeline.Outcome.ACCEPTED, p.offer(uplink(ADDR, fcnt, 1, temp(i)), TestConfigs.rx("a"), 0, 0));
        }
        assertEquals(12, p.drainReady(1_000, false, out));
        Sample lastRadio = out.get(out.size() - 1);
        assertEquals("boiler.radio", lastRadio.tag());
        assertEquals(Value.of(65_541L), ((Value.StructValue) lastRadio.value()).fields().get("fcnt"));
        assertEquals(Value.of(11.0), out.get(out.size() - 2).value());

        // replay of a frame from before the rollover and one from after it
        FrameException old = assertThrows(FrameException.class, () -> p.offer(uplink(ADDR, 65_532, 1, temp(2)), TestConfigs.rx("a"), 2_000, 0));
        assertEquals(FrameException.Reason.REPLAYED, old.reason());
        FrameException recent = assertThrows(FrameException.class, () -> p.offer(uplink(ADDR, 65_541, 1, temp(11)), TestConfigs.rx("a"), 2_000, 0));
        assertEquals(FrameException.Reason.REPLAYED, recent.reason());
        assertEquals(2, metrics.count("lorawan.frames.replayed"));

        // a frame far ahead is a counter gap; a corrupted MIC is a MIC failure
        FrameException gap = assertThrows(FrameException.class, () -> p.offer(uplink(ADDR, 65_541 + 20_000, 1, temp(0)), TestConfigs.rx("a"), 2_000, 0));
        assertEquals(FrameException.Reason.COUNTER_GAP, gap.reason());
        byte[] bad = uplink(ADDR, 65_542, 1, temp(3));
        bad[bad.length - 1] ^= 1;
        assertEquals(FrameException.Reason.MIC_FAILED,
                assertThrows(FrameException.class, () -> p.offer(bad, TestConfigs.rx("a"), 2_000, 0)).reason());
        assertEquals(UplinkPipeline.Outcome.ACCEPTED, p.offer(uplink(ADDR, 65_542, 1, temp(3)), TestConfigs.rx("a"), 2_000, 0));
        assertEquals(FrameException.Reason.UNKNOWN_DEVICE,
                assertThrows(FrameException.class, () -> p.offer(uplink(ADDR + 1, 1, 1, temp(3)), TestConfigs.rx("a"), 2_000, 0)).reason());
    }

    @Test
    void countersSurviveARestart() throws Exception {
        FrameCounterStore store = new FrameCounterStore(state);
        UplinkPipeline p = pipeline(store, new FakeMetrics());
        byte[] frame = uplink(ADDR, 70_000, 1, temp(20));
        p.offer(uplink(ADDR, 65_534, 1, temp(20)), TestConfigs.rx("a"), 0, 0);
        p.offer(frame, TestConfigs.rx("a"), 0, 0);
        store.saveIfDirty();
        assertTrue(Files.readString(state.resolve(FrameCounterStore.FILE)).contains("boiler 26011f2a 70000"));

        FrameCounterStore reopened = new FrameCounterStore(state);
        assertEquals(0, reopened.load());
        FakeMetrics metrics = new FakeMetrics();
        UplinkPipeline after = pipeline(reopened, metrics);
        assertEquals(FrameException.Reason.REPLAYED,
                assertThrows(FrameException.class, () -> after.offer(frame, TestConfigs.rx("a"), 0, 0)).reason());
        assertEquals(UplinkPipeline.Outcome.ACCEPTED, after.offer(uplink(ADDR, 70_001, 1, temp(21)), TestConfigs.rx("a"), 0, 0));
    }

    @Test
    void oneFrameFromThreeGatewaysBecomesSamplesOnceWithEveryReception() throws Exception {
        FakeMetrics metrics = new FakeMetrics();
        UplinkPipeline p = pipeline(new FrameCounterStore(null), metrics);
        byte[] frame = uplink(ADDR, 7, 1, temp(21.5));
        long t0 = 1_700_000_000_000_000_000L;
        assertEquals(UplinkPipeline.Outcome.ACCEPTED, p.offer(frame.clone(), new RxMetadata("gw-a", -40, 9, t0 + 5, 1, 868.1, "SF7BW125", "4/5", 0, 0), 0, t0 + 100));
        assertEquals(UplinkPipeline.Outcome.DUPLICATE, p.offer(frame.clone(), new RxMetadata("gw-b", -90, -3, t0 + 2, 1, 868.1, "SF7BW125", "4/5", 1, 0), 10, t0 + 110));
        assertEquals(UplinkPipeline.Outcome.DUPLICATE, p.offer(frame.clone(), new RxMetadata("gw-c", -70, 1.5, RxMetadata.NO_TIME, 1, 868.1, "SF7BW125", "4/5", 2, 1), 20, t0 + 120));
        List<Sample> out = new ArrayList<>();
        assertEquals(0, p.drainReady(99, false, out), "the window is still open");
        assertEquals(1, p.drainReady(100, false, out));
        assertEquals(2, out.size());
        Sample t = out.get(0);
        assertEquals("boiler.temperature_1", t.tag());
        assertEquals(Value.of(21.5), t.value());
        assertEquals("°C", t.unit());
        assertEquals(t0 + 2, t.sourceTimeNanos(), "the earliest gateway time");
        assertEquals(t0 + 100, t.receiveTimeNanos());
        Value.ArrayValue gws = (Value.ArrayValue) ((Value.StructValue) out.get(1).value()).fields().get("gateways");
        assertEquals(3, gws.elements().size());
        assertEquals(Value.of(-90.0), ((Value.StructValue) gws.elements().get(1)).fields().get("rssi"));
        assertEquals(Value.of(1.5), ((Value.StructValue) gws.elements().get(2)).fields().get("snr"));
        assertEquals(2, metrics.count("lorawan.frames.duplicates"));
        assertEquals(1, metrics.count("lorawan.frames.accepted"));
        // after the window, the same bytes are a replay
        assertEquals(FrameException.Reason.REPLAYED,
                assertThrows(FrameException.class, () -> p.offer(frame.clone(), TestConfigs.rx("gw-d"), 200, t0)).reason());
    }

    @Test
    void fport0CarriesMacCommandsDecryptedWithTheNwkSKey() throws Exception {
        // built by the simulator's independent encoder: FPort 0 is encrypted with the NwkSKey
        var encoder = new io.sluice.rigs.lorawan.FrameEncoder(HexFormat.of().parseHex(NWK), HexFormat.of().parseHex(APP));
        byte[] macCommands = {0x02, 0x03, 0x05}; // LinkCheckReq, LinkADRAns, RXParamSetupAns
        UplinkPipeline p = pipeline(new FrameCounterStore(null), new FakeMetrics());
        p.offer(encoder.uplink(false, ADDR, 5, 0, macCommands), TestConfigs.rx("a"), 0, 0);
        List<Sample> out = new ArrayList<>();
        p.drainReady(0, true, out);
        assertEquals("boiler.mac-commands", out.get(0).tag());
        assertEquals(Value.of(macCommands), out.get(0).value());
        assertEquals(Value.of(0L), ((Value.StructValue) out.get(1).value()).fields().get("fport"));
    }

    @Test
    void undecodablePayloadBecomesABadRawSample() throws Exception {
        FakeMetrics metrics = new FakeMetrics();
        UplinkPipeline p = pipeline(new FrameCounterStore(null), metrics);
        p.offer(uplink(ADDR, 1, 1, new byte[] {1, (byte) 0xff, 0}), TestConfigs.rx("a"), 0, 0);
        List<Sample> out = new ArrayList<>();
        p.drainReady(0, true, out);
        assertEquals("boiler.payload", out.get(0).tag());
        assertEquals(io.sluice.spi.Quality.BAD, out.get(0).quality());
        assertEquals(1, metrics.count("lorawan.payload.decode-errors"));
    }
}
