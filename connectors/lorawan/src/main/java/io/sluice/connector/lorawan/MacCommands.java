package io.sluice.connector.lorawan;

import java.io.ByteArrayOutputStream;

/**
 * The LoRaWAN 1.0.x MAC commands Sluice reads from uplinks (FOpts, or the FRMPayload of FPort 0) and answers:
 *
 * <pre>
 * uplink CID  command            payload   Sluice
 * 0x02        LinkCheckReq       0         answers LinkCheckAns: Margin(1) = best SNR above the demodulation floor, GwCnt(1)
 * 0x06        DevStatusAns       2         Battery(1), Margin(1, 6-bit signed): stored, and samples battery / margin
 * 0x0D        DeviceTimeReq      0         answers DeviceTimeAns: GPS seconds (4, LE) | fractional second in 1/256 s (1)
 * 0x03 0x04 0x05 0x07 0x08 0x09 0x0A       answers to requests Sluice does not send: skipped by their length
 * </pre>
 *
 * An unknown CID ends the parse (its length is unknown).
 */
final class MacCommands {

    static final int LINK_CHECK = 0x02;
    static final int DEV_STATUS = 0x06;
    static final int DEVICE_TIME = 0x0D;

    /** Seconds from the Unix epoch to the GPS epoch (1980-01-06) and the leap seconds GPS time is ahead of UTC. */
    private static final long GPS_EPOCH_UNIX_SECONDS = 315_964_800L;
    private static final long GPS_LEAP_SECONDS = 18;

    private MacCommands() {}

    /** What an uplink's MAC commands ask for or report. */
    record Uplink(boolean linkCheck, boolean deviceTime, int battery, int margin) {
        static final Uplink NONE = new Uplink(false, false, -1, DeviceState.NO_MARGIN);

        boolean hasStatus() {
            return battery >= 0;
        }
    }

    private static int length(int cid) {
        return switch (cid) {
            case 0x02, 0x04, 0x08, 0x09, 0x0D -> 0;
            case 0x03, 0x05, 0x07, 0x0A -> 1;
            case 0x06 -> 2;
            default -> -1;
        };
    }

    static Uplink parse(byte[] commands) {
        if (commands == null || commands.length == 0) {
            return Uplink.NONE;
        }
        boolean linkCheck = false;
        boolean deviceTime = false;
        int battery = -1;
        int margin = DeviceState.NO_MARGIN;
        int i = 0;
        while (i < commands.length) {
            int cid = commands[i] & 0xFF;
            int len = length(cid);
            if (len < 0 || i + 1 + len > commands.length) {
                break;
            }
            switch (cid) {
                case LINK_CHECK -> linkCheck = true;
                case DEVICE_TIME -> deviceTime = true;
                case DEV_STATUS -> {
                    battery = commands[i + 1] & 0xFF;
                    int m = commands[i + 2] & 0x3F;
                    margin = m >= 32 ? m - 64 : m;
                }
                default -> { }
            }
            i += 1 + len;
        }
        return new Uplink(linkCheck, deviceTime, battery, margin);
    }

    /** The demodulation floor (dB SNR) of a LoRa data rate such as {@code SF9BW125}. */
    static double demodulationFloor(String datr) {
        int sf = 7;
        if (datr != null && datr.startsWith("SF")) {
            int end = datr.indexOf('B');
            try {
                sf = Integer.parseInt(datr.substring(2, end < 0 ? datr.length() : end));
            } catch (NumberFormatException ignored) {
                // keep SF7
            }
        }
        return -7.5 - 2.5 * (sf - 7);
    }

    static void linkCheckAns(ByteArrayOutputStream out, double bestSnr, String datr, int gateways) {
        int margin = (int) Math.max(0, Math.min(254, Math.floor(bestSnr - demodulationFloor(datr))));
        out.write(LINK_CHECK);
        out.write(margin);
        out.write(Math.min(255, gateways));
    }

    /** DeviceTimeAns for a UTC time in epoch nanoseconds. */
    static void deviceTimeAns(ByteArrayOutputStream out, long epochNanos) {
        long gpsNanos = epochNanos - GPS_EPOCH_UNIX_SECONDS * 1_000_000_000L + GPS_LEAP_SECONDS * 1_000_000_000L;
        long seconds = Math.floorDiv(gpsNanos, 1_000_000_000L);
        long frac = Math.floorMod(gpsNanos, 1_000_000_000L) * 256 / 1_000_000_000L;
        out.write(DEVICE_TIME);
        out.write((int) seconds);
        out.write((int) (seconds >>> 8));
        out.write((int) (seconds >>> 16));
        out.write((int) (seconds >>> 24));
        out.write((int) frac);
    }
}
