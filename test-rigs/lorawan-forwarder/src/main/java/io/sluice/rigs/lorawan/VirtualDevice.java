package io.sluice.rigs.lorawan;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated ABP sensor with its session keys, frame counter and payload format. Even-numbered devices send
 * Cayenne LPP (temperature on channel 1, humidity on channel 2), odd-numbered ones a byte layout
 * ({@link #LAYOUT_PROFILE}: int16 BE temperature x0.01 at 0, uint8 humidity x0.5 at 2, uint16 LE vibration x0.1 at
 * 3, leak flag bit 0 of byte 5).
 */
public final class VirtualDevice {

    public enum Format { CAYENNE_LPP, BYTE_LAYOUT }

    public static final String LPP_PROFILE = "sim-lpp";
    public static final String LAYOUT_PROFILE = "sim-layout";

    private final int index;
    private final String name;
    private final int devAddr;
    private final byte[] nwkSKey;
    private final byte[] appSKey;
    private final Format format;
    private final FrameEncoder encoder;
    private final SplittableRandom values;
    private long fcnt;

    /** A device with a session from an OTAA join: counters start at 0. */
    public VirtualDevice(int index, String name, int devAddr, byte[] nwkSKey, byte[] appSKey, long seed) {
        this.index = index;
        this.name = name;
        this.devAddr = devAddr;
        this.nwkSKey = nwkSKey.clone();
        this.appSKey = appSKey.clone();
        this.format = index % 2 == 0 ? Format.CAYENNE_LPP : Format.BYTE_LAYOUT;
        this.encoder = new FrameEncoder(nwkSKey, appSKey);
        this.values = new SplittableRandom(seed * 31L + index);
        this.fcnt = 0;
    }

    public VirtualDevice(int index, long seed, long startFcnt) {
        this.index = index;
        this.name = String.format("sensor-%03d", index);
        this.devAddr = 0x26000000 | (index + 1);
        SplittableRandom keys = new SplittableRandom(seed * 1_000_003L + index);
        nwkSKey = new byte[16];
        appSKey = new byte[16];
        keys.nextBytes(nwkSKey);
        keys.nextBytes(appSKey);
        this.format = index % 2 == 0 ? Format.CAYENNE_LPP : Format.BYTE_LAYOUT;
        this.encoder = new FrameEncoder(nwkSKey, appSKey);
        this.values = keys.split();
        this.fcnt = startFcnt;
    }

    public int index() { return index; }

    public String name() { return name; }

    public int devAddr() { return devAddr; }

    public String devAddrHex() { return String.format("%08x", devAddr); }

    public String nwkSKeyHex() { return HexFormat.of().formatHex(nwkSKey); }

    public String appSKeyHex() { return HexFormat.of().formatHex(appSKey); }

    public Format format() { return format; }

    public String profile() { return format == Format.CAYENNE_LPP ? LPP_PROFILE : LAYOUT_PROFILE; }

    /** The counter the next uplink will carry. */
    public synchronized long nextFcnt() { return fcnt; }

    public synchronized void setNextFcnt(long next) { fcnt = next; }

    /** Makes the next uplink: new values, the current counter (then incremented), encrypted and signed. */
    public synchronized Uplink nextUplink() {
        long f = fcnt++;
        Map<String, Double> expected = new LinkedHashMap<>();
        byte[] payload;
        if (format == Format.CAYENNE_LPP) {
            int t = values.nextInt(-300, 600);       // 0.1 °C
            int h = values.nextInt(0, 201);          // 0.5 %
            payload = new byte[] {1, 103, (byte) (t >> 8), (byte) t, 2, 104, (byte) h};
            expected.put("temperature_1", t / 10.0);
            expected.put("relative_humidity_2", h / 2.0);
        } else {
            int t = values.nextInt(-4000, 8000);     // 0.01 °C
            int h = values.nextInt(0, 201);          // 0.5 %
            int v = values.nextInt(0, 65536);        // 0.1 mm/s
            boolean leak = values.nextInt(10) == 0;
            payload = new byte[] {(byte) (t >> 8), (byte) t, (byte) h, (byte) v, (byte) (v >> 8), (byte) (leak ? 1 : 0)};
            expected.put("temperature", t * 0.01);
            expected.put("humidity", h * 0.5);
            expected.put("vibration", v * 0.1);
            expected.put("leak", leak ? 1.0 : 0.0);
        }
        return new Uplink(this, f, encoder.uplink(false, devAddr, f, 1, payload), expected);
    }

    /** The YAML of this device for a lorawan connector's {@code devices:} map. */
    public String yaml(String indent) {
        return indent + name + ":\n"
                + indent + "  dev-addr: " + devAddrHex() + "\n"
                + indent + "  nwk-s-key: " + nwkSKeyHex() + "\n"
                + indent + "  app-s-key: " + appSKeyHex() + "\n"
                + indent + "  profile: " + profile() + "\n";
    }

    /** The YAML of the two profiles the simulated devices use, for a connector's {@code profiles:} map. */
    public static String profilesYaml(String indent) {
        return indent + LPP_PROFILE + ":\n"
                + indent + "  codec: cayenne-lpp\n"
                + indent + LAYOUT_PROFILE + ":\n"
                + indent + "  codec: byte-layout\n"
                + indent + "  fields:\n"
                + indent + "    - {name: temperature, offset: 0, type: int16, scale: 0.01, unit: \"°C\"}\n"
                + indent + "    - {name: humidity, offset: 2, type: uint8, scale: 0.5, unit: \"%\"}\n"
                + indent + "    - {name: vibration, offset: 3, type: uint16, endianness: little, scale: 0.1, unit: mm/s}\n"
                + indent + "    - {name: leak, offset: 5, type: bool, bit: 0}\n";
    }

    @Override
    public String toString() {
        return "VirtualDevice[" + name + " " + devAddrHex() + "]";
    }

    /**
     * One uplink as sent.
     *
     * @param device   who sent it
     * @param fcnt     its full 32-bit frame counter
     * @param phy      the PHYPayload
     * @param expected the field values the connector must decode, by field name (booleans as 0/1)
     */
    public record Uplink(VirtualDevice device, long fcnt, byte[] phy, Map<String, Double> expected) {

        /** The same frame with one MIC bit flipped. */
        public Uplink withBadMic() {
            byte[] copy = phy.clone();
            copy[copy.length - 1] ^= 0x01;
            return new Uplink(device, fcnt, copy, expected);
        }
    }
}
