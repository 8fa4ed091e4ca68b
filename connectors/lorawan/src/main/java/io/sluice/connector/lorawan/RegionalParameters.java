package io.sluice.connector.lorawan;

import io.sluice.connector.lorawan.LoRaWanConnectorConfig.Region;

/**
 * The downlink parts of the LoRaWAN Regional Parameters (RP002-1.0.x) Sluice needs, as tables: data rates, the RX1
 * data rate for an uplink data rate and RX1DROffset, the RX1 frequency for an uplink frequency, RX2 defaults, the
 * join-accept delays and a default transmit power.
 *
 * <pre>
 * region  data rates (index: LoRa setting)                        RX1 frequency            RX2              power
 * EU868   0 SF12BW125 .. 5 SF7BW125, 6 SF7BW250                   = uplink frequency       869.525 MHz DR0  14 dBm
 * US915   0 SF10BW125 .. 3 SF7BW125, 4 SF8BW500,                  downlink channel          923.3 MHz DR8    20 dBm
 *         8 SF12BW500 .. 13 SF7BW500                              (uplink channel % 8)
 * </pre>
 *
 * Channel plans: EU868 joins on 868.1, 868.3 and 868.5 MHz (the default channels; no CFList is sent, so devices keep
 * them); US915 has uplink channels 0..63 at 902.3 + 0.2 n MHz (125 kHz), 64..71 at 903.0 + 1.6 (n - 64) MHz (500 kHz)
 * and downlink channels 0..7 at 923.3 + 0.6 n MHz.
 */
public enum RegionalParameters {

    EU868(new String[] {"SF12BW125", "SF11BW125", "SF10BW125", "SF9BW125", "SF8BW125", "SF7BW125", "SF7BW250"},
            new int[][] {
                    {0, 0, 0, 0, 0, 0}, {1, 0, 0, 0, 0, 0}, {2, 1, 0, 0, 0, 0}, {3, 2, 1, 0, 0, 0},
                    {4, 3, 2, 1, 0, 0}, {5, 4, 3, 2, 1, 0}, {6, 5, 4, 3, 2, 1}},
            869.525, 0, 14, new double[] {868.1, 868.3, 868.5}, null),
    US915(new String[] {"SF10BW125", "SF9BW125", "SF8BW125", "SF7BW125", "SF8BW500", null, null, null,
            "SF12BW500", "SF11BW500", "SF10BW500", "SF9BW500", "SF8BW500", "SF7BW500"},
            new int[][] {{10, 9, 8, 8}, {11, 10, 9, 8}, {12, 11, 10, 9}, {13, 12, 11, 10}, {13, 13, 12, 11}},
            923.3, 8, 20, channels(64, 902.3, 0.2, 8, 903.0, 1.6), channels(8, 923.3, 0.6, 0, 0, 0));

    /** JOIN_ACCEPT_DELAY1 / 2 in seconds (the same in every region). */
    public static final int JOIN_ACCEPT_DELAY1 = 5;
    public static final int JOIN_ACCEPT_DELAY2 = 6;

    private final String[] dataRates;
    private final int[][] rx1DataRate; // [uplink DR][RX1DROffset]
    private final double rx2Frequency;
    private final int rx2DataRate;
    private final int txPower;
    /** Uplink channels in MHz (EU868: the default ones; US915: all 72), by channel index. */
    private final double[] uplinkChannels;
    /** Downlink channels in MHz by index, or null when RX1 uses the uplink frequency. */
    private final double[] downlinkChannels;

    RegionalParameters(String[] dataRates, int[][] rx1DataRate, double rx2Frequency, int rx2DataRate, int txPower,
                       double[] uplinkChannels, double[] downlinkChannels) {
        this.uplinkChannels = uplinkChannels;
        this.downlinkChannels = downlinkChannels;
        this.dataRates = dataRates;
        this.rx1DataRate = rx1DataRate;
        this.rx2Frequency = rx2Frequency;
        this.rx2DataRate = rx2DataRate;
        this.txPower = txPower;
    }

    private static double[] channels(int n1, double first1, double step1, int n2, double first2, double step2) {
        double[] c = new double[n1 + n2];
        for (int i = 0; i < n1; i++) c[i] = Math.round((first1 + step1 * i) * 1000) / 1000.0;
        for (int i = 0; i < n2; i++) c[n1 + i] = Math.round((first2 + step2 * i) * 1000) / 1000.0;
        return c;
    }

    /** The uplink channels of the plan, MHz (a copy). */
    public double[] uplinkChannels() {
        return uplinkChannels.clone();
    }

    public static RegionalParameters of(Region region) {
        return region == Region.US915 ? US915 : EU868;
    }

    /** The data-rate index of a LoRa setting such as {@code SF7BW125} (uplink data rates), or -1. */
    public int dataRateIndex(String datr) {
        if (datr == null) return -1;
        for (int i = 0; i < rx1DataRate.length && i < dataRates.length; i++) {
            if (datr.equalsIgnoreCase(dataRates[i])) return i;
        }
        return -1;
    }

    /** The LoRa setting of a data-rate index, or null when the region has none. */
    public String dataRate(int index) {
        return index >= 0 && index < dataRates.length ? dataRates[index] : null;
    }

    /** The RX1 data-rate index for an uplink data rate and offset (offsets beyond the table use its last column). */
    public int rx1DataRate(int uplinkDr, int offset) {
        int[] row = rx1DataRate[Math.max(0, Math.min(uplinkDr, rx1DataRate.length - 1))];
        return row[Math.max(0, Math.min(offset, row.length - 1))];
    }

    /**
     * The RX1 frequency (MHz) for an uplink frequency (MHz): the same one, or the downlink channel of the uplink
     * channel's index modulo the number of downlink channels (an unknown frequency takes the nearest uplink channel).
     */
    public double rx1Frequency(double uplinkMhz) {
        if (downlinkChannels == null) {
            return uplinkMhz;
        }
        int nearest = 0;
        for (int i = 1; i < uplinkChannels.length; i++) {
            if (Math.abs(uplinkChannels[i] - uplinkMhz) < Math.abs(uplinkChannels[nearest] - uplinkMhz)) {
                nearest = i;
            }
        }
        return downlinkChannels[nearest % downlinkChannels.length];
    }

    public double rx2Frequency() { return rx2Frequency; }

    public int rx2DataRate() { return rx2DataRate; }

    public int txPower() { return txPower; }

    /** The maximum RX1DROffset the table knows. */
    public int maxRx1DrOffset() { return rx1DataRate[0].length - 1; }
}
