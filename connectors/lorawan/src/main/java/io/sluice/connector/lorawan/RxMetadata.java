package io.sluice.connector.lorawan;

/**
 * What one gateway reported about one reception.
 *
 * @param gateway    gateway id (EUI as 16 hex digits for the UDP forwarder; the network server's id in MQTT mode)
 * @param rssi       signal strength in dBm
 * @param snr        signal-to-noise ratio in dB
 * @param timeNanos  the gateway's (GPS) receive time, epoch nanoseconds, or {@link #NO_TIME}
 * @param tmst       the gateway's internal microsecond counter, or -1
 * @param frequency  MHz
 * @param dataRate   e.g. {@code SF7BW125}, or null
 * @param codingRate e.g. {@code 4/5}, or null
 * @param channel    IF channel, or -1
 * @param rfChain    RF chain, or -1
 */
public record RxMetadata(String gateway, double rssi, double snr, long timeNanos, long tmst, double frequency,
                         String dataRate, String codingRate, int channel, int rfChain) {

    public static final long NO_TIME = Long.MIN_VALUE;

    /** This reception with another gateway time ({@link #NO_TIME} for none). */
    public RxMetadata withTime(long nanos) {
        return new RxMetadata(gateway, rssi, snr, nanos, tmst, frequency, dataRate, codingRate, channel, rfChain);
    }

    public boolean hasTime() {
        return timeNanos != NO_TIME;
    }
}
