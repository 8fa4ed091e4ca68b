package io.sluice.rigs.lorawan;

import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * A simulated LoRaWAN 1.0.x OTAA device, on the JDK's AES and {@link FrameEncoder}'s CMAC (independent of the
 * connector): it builds JoinRequests with its AppKey, checks and opens the JoinAccept it gets back (the MIC over
 * {@code MHDR..CFList}, the body decrypted with AES-ECB encrypt), derives NwkSKey and AppSKey
 * ({@code aes(AppKey, 0x01|0x02 | AppNonce | NetID | DevNonce | pad)}) and then sends uplinks as a
 * {@link VirtualDevice} with those keys.
 */
public final class OtaaDevice {

    /** The AppEUI every simulated device sends. */
    public static final String APP_EUI = "70b3d57ed0000000";

    private final int index;
    private final String name;
    private final long devEui;
    private final byte[] appKey;
    private final long seed;
    private int devNonce;
    private volatile VirtualDevice session;
    private volatile int lastJoinNonce = -1;

    public OtaaDevice(int index, long seed) {
        this.index = index;
        this.seed = seed;
        this.name = String.format("otaa-%04d", index);
        this.devEui = 0x70B3D57ED0020000L | index;
        SplittableRandom r = new SplittableRandom(seed * 7_919L + index);
        appKey = new byte[16];
        r.nextBytes(appKey);
        devNonce = r.nextInt(1, 60_000);
    }

    public String name() { return name; }

    public String devEuiHex() { return String.format("%016x", devEui); }

    public String appKeyHex() { return HexFormat.of().formatHex(appKey); }

    /** The session after a JoinAccept, or null. */
    public VirtualDevice session() { return session; }

    /** The DevNonce of the last JoinRequest built. */
    public synchronized int devNonce() { return lastJoinNonce; }

    /** A new JoinRequest (next DevNonce), MIC with the AppKey. */
    public synchronized byte[] joinRequest() {
        int nonce = devNonce++ & 0xFFFF;
        lastJoinNonce = nonce;
        byte[] b = new byte[23];
        long app = Long.parseUnsignedLong(APP_EUI, 16);
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (byte) (app >>> (8 * i));
            b[9 + i] = (byte) (devEui >>> (8 * i));
        }
        b[17] = (byte) nonce;
        b[18] = (byte) (nonce >>> 8);
        byte[] mic = new FrameEncoder(appKey, appKey).cmac(b, 19);
        System.arraycopy(mic, 0, b, 19, 4);
        return b;
    }

    /**
     * Opens a JoinAccept as received; when its MIC verifies, derives the session and returns true (the device then
     * sends uplinks from counter 0).
     */
    public synchronized boolean accept(byte[] onAir) {
        if (onAir.length != 17 && onAir.length != 33 || (onAir[0] & 0xE0) != 0x20) {
            return false;
        }
        byte[] body = new byte[onAir.length - 1];
        System.arraycopy(onAir, 1, body, 0, body.length);
        byte[] plain = aes(appKey, body);
        byte[] signed = new byte[onAir.length - 4];
        signed[0] = onAir[0];
        System.arraycopy(plain, 0, signed, 1, signed.length - 1);
        byte[] mic = new FrameEncoder(appKey, appKey).cmac(signed, signed.length);
        for (int i = 0; i < 4; i++) {
            if (mic[i] != plain[plain.length - 4 + i]) {
                return false;
            }
        }
        byte[] nonceBlock = new byte[16];
        System.arraycopy(plain, 0, nonceBlock, 1, 6); // AppNonce(3) | NetID(3)
        nonceBlock[7] = (byte) lastJoinNonce;
        nonceBlock[8] = (byte) (lastJoinNonce >>> 8);
        nonceBlock[0] = 0x01;
        byte[] nwk = aes(appKey, nonceBlock);
        nonceBlock[0] = 0x02;
        byte[] app = aes(appKey, nonceBlock);
        int devAddr = (plain[6] & 0xFF) | (plain[7] & 0xFF) << 8 | (plain[8] & 0xFF) << 16 | (plain[9] & 0xFF) << 24;
        session = new VirtualDevice(index, name, devAddr, nwk, app, seed);
        return true;
    }

    private static byte[] aes(byte[] key, byte[] data) {
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The YAML of this device for a lorawan connector's {@code devices:} map (network-server section needed). */
    public String yaml(String indent) {
        return indent + name + ":\n"
                + indent + "  dev-eui: " + devEuiHex() + "\n"
                + indent + "  app-key: " + appKeyHex() + "\n"
                + indent + "  join-eui: " + APP_EUI + "\n"
                + indent + "  profile: " + (index % 2 == 0 ? VirtualDevice.LPP_PROFILE : VirtualDevice.LAYOUT_PROFILE) + "\n";
    }

    /** {@code count} devices for a seed. */
    public static java.util.List<OtaaDevice> many(int count, long seed) {
        java.util.List<OtaaDevice> out = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(new OtaaDevice(i, seed));
        return out;
    }

    /** The {@code profiles:} and {@code devices:} YAML for a connector that lets {@code devices} join. */
    public static String registryYaml(java.util.List<OtaaDevice> devices, String indent) {
        StringBuilder sb = new StringBuilder(indent + "profiles:\n").append(VirtualDevice.profilesYaml(indent + "  "));
        sb.append(indent).append("devices:\n");
        for (OtaaDevice d : devices) sb.append(d.yaml(indent + "  "));
        return sb.toString();
    }

    @Override
    public String toString() {
        return "OtaaDevice[" + name + " " + devEuiHex() + "]";
    }
}
