package io.sluice.rigs.lorawan;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * Random and mutated datagrams for the packet-forwarder server, each with the verdict a correct server must reach,
 * so a test can compare the server's counters with what was sent:
 *
 * <ul>
 *   <li>{@link Kind#MALFORMED_DATAGRAM}: not a valid gateway-to-server packet (too short, unknown version or
 *       identifier, missing or broken JSON, wrong JSON shape). Never acknowledged.</li>
 *   <li>{@link Kind#BAD_FRAME}: a well-formed PUSH_DATA (acknowledged) whose one {@code rxpk} must be rejected: a
 *       valid frame with a flipped bit or cut short, random bytes, a CRC-failed packet, non-base64 or missing
 *       {@code data}.</li>
 * </ul>
 */
public final class DatagramFuzzer {

    public enum Kind { MALFORMED_DATAGRAM, BAD_FRAME }

    /** A datagram and what the server must make of it. */
    public record Fuzzed(Kind kind, String variant, byte[] datagram) {}

    private final PacketForwarderSimulator sim;
    private final SplittableRandom random;

    public DatagramFuzzer(PacketForwarderSimulator sim, long seed) {
        this.sim = sim;
        this.random = new SplittableRandom(seed);
    }

    /** The next fuzzed datagram, from gateway {@code gateway}; {@code validFrame} is mutated for some variants. */
    public Fuzzed next(int gateway, byte[] validFrame) {
        int v = random.nextInt(14);
        return switch (v) {
            case 0 -> malformed("tiny", bytes(random.nextInt(4)));
            case 1 -> {
                byte[] d = bytes(4 + random.nextInt(600));
                d[0] = (byte) (3 + random.nextInt(253));
                yield malformed("bad-version", d);
            }
            case 2 -> {
                byte[] d = bytes(4 + random.nextInt(300));
                d[0] = (byte) (1 + random.nextInt(2));
                int[] ids = {1, 3, 4, 6, 7, 0x10, 0x7f, 0xff};
                d[3] = (byte) ids[random.nextInt(ids.length)];
                yield malformed("bad-identifier", d);
            }
            case 3 -> {
                byte[] d = bytes(4 + random.nextInt(8));
                d[0] = (byte) (1 + random.nextInt(2));
                d[3] = (byte) new int[] {0, 2, 5}[random.nextInt(3)];
                yield malformed("short-header", d);
            }
            case 4 -> {
                byte[] body = bytes(1 + random.nextInt(400));
                while (body[0] == '{' || body[0] == ' ' || body[0] == '\t' || body[0] == '\n' || body[0] == '\r' || body[0] == 0) {
                    body[0] = (byte) random.nextInt(256);
                }
                yield malformed("garbage-json", withHeader(0, body));
            }
            case 5 -> {
                String json = sim.batchJson(java.util.List.of(new VirtualDevice.Uplink(null, 0, validFrame, java.util.Map.of())));
                byte[] full = json.getBytes(StandardCharsets.UTF_8);
                yield malformed("truncated-json", withHeader(0, java.util.Arrays.copyOf(full, random.nextInt(full.length))));
            }
            case 6 -> {
                String[] shapes = {"{\"rxpk\":{}}", "{\"rxpk\":1}", "{\"stat\":[1]}", "{\"stat\":\"x\"}", "[]", "\"rxpk\"", "42"};
                yield malformed("wrong-shape", withHeader(0, shapes[random.nextInt(shapes.length)].getBytes(StandardCharsets.UTF_8)));
            }
            case 7 -> malformed("broken-tx-ack", withHeader(5, "{\"txpk_ack\":{\"error\":".getBytes(StandardCharsets.UTF_8)));
            case 8, 9 -> {
                byte[] f = validFrame.clone();
                int bit = random.nextInt(f.length * 8);
                f[bit / 8] ^= (byte) (1 << (bit % 8));
                yield badFrame(gateway, "bit-flip", rxpk(Base64.getEncoder().encodeToString(f), 1));
            }
            case 10 -> badFrame(gateway, "cut-short",
                    rxpk(Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(validFrame, random.nextInt(validFrame.length))), 1));
            case 11 -> badFrame(gateway, "random-frame", rxpk(Base64.getEncoder().encodeToString(bytes(random.nextInt(65))), 1));
            case 12 -> badFrame(gateway, "crc-failed", rxpk(Base64.getEncoder().encodeToString(validFrame), -1));
            default -> badFrame(gateway, random.nextBoolean() ? "not-base64" : "no-data",
                    random.nextBoolean() ? rxpk("@@not base64@@", 1) : "{\"rxpk\":[{\"stat\":1,\"rssi\":-80}]}");
        };
    }

    private static String rxpk(String data, int crc) {
        return "{\"rxpk\":[{\"tmst\":1,\"chan\":0,\"rfch\":0,\"freq\":868.3,\"stat\":" + crc
                + ",\"modu\":\"LORA\",\"datr\":\"SF9BW125\",\"codr\":\"4/5\",\"rssi\":-99,\"lsnr\":-2.5,\"data\":\"" + data + "\"}]}";
    }

    private Fuzzed malformed(String variant, byte[] d) {
        return new Fuzzed(Kind.MALFORMED_DATAGRAM, variant, d);
    }

    private Fuzzed badFrame(int gateway, String variant, String json) {
        return new Fuzzed(Kind.BAD_FRAME, variant, sim.pushDatagram(gateway, json));
    }

    private byte[] withHeader(int identifier, byte[] body) {
        byte[] d = new byte[12 + body.length];
        d[0] = 2;
        d[1] = (byte) random.nextInt(256);
        d[2] = (byte) random.nextInt(256);
        d[3] = (byte) identifier;
        for (int i = 4; i < 12; i++) {
            d[i] = (byte) random.nextInt(256);
        }
        System.arraycopy(body, 0, d, 12, body.length);
        return d;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
