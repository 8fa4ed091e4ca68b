package io.sluice.connector.lorawan;

/**
 * Constants of the Semtech UDP packet-forwarder protocol (PROTOCOL.TXT, versions 1 and 2). Every datagram starts
 * with {@code version(1) | token(2) | identifier(1)}; gateway-to-server packets then carry the gateway EUI (8) and,
 * for PUSH_DATA and optionally TX_ACK, a JSON object.
 */
public final class SemtechProtocol {

    public static final int PUSH_DATA = 0x00;
    public static final int PUSH_ACK = 0x01;
    public static final int PULL_DATA = 0x02;
    public static final int PULL_RESP = 0x03;
    public static final int PULL_ACK = 0x04;
    public static final int TX_ACK = 0x05;

    /** version + token + identifier + gateway EUI. */
    public static final int GATEWAY_HEADER = 12;

    private SemtechProtocol() {}

    /** An acknowledgement: the request's version and token with the given identifier. */
    public static byte[] ack(byte[] request, int identifier) {
        return new byte[] {request[0], request[1], request[2], (byte) identifier};
    }

    /** The gateway EUI of a gateway-to-server packet as 16 lower-case hex digits. */
    public static String gatewayEui(byte[] datagram) {
        char[] hex = new char[16];
        for (int i = 0; i < 8; i++) {
            int b = datagram[4 + i] & 0xFF;
            hex[2 * i] = Character.forDigit(b >> 4, 16);
            hex[2 * i + 1] = Character.forDigit(b & 0xF, 16);
        }
        return new String(hex);
    }
}
