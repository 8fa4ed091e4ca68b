package io.sluice.connector.lorawan;

/** Why a LoRaWAN frame was not accepted. The message never contains key material. */
public final class FrameException extends Exception {

    /** The reason a frame is rejected; each has its own counter ({@code lorawan.frames.<metric>}). */
    public enum Reason {
        /** The bytes are not a LoRaWAN 1.0.x PHYPayload (too short, bad major version, FOpts overrun). */
        MALFORMED("malformed"),
        /** A valid PHYPayload that is not an uplink data frame (join, downlink, proprietary). */
        NOT_UPLINK("not-uplink"),
        /** No device with this DevAddr in the registry. */
        UNKNOWN_DEVICE("unknown-device"),
        /** The message integrity code does not match under the device's NwkSKey. */
        MIC_FAILED("mic-failed"),
        /** The frame counter is not above the last accepted one (a replay or a very late copy). */
        REPLAYED("replayed"),
        /** The frame counter jumped further ahead than {@code max-fcnt-gap}. */
        COUNTER_GAP("counter-gap"),
        /**
         * A confirmed uplink sent again with the last accepted counter (its ACK was lost): acknowledged again (at most
         * {@code UplinkPipeline.MAX_REACKS} times), its data not stored again. Only with the network-server section.
         */
        CONFIRMED_RETRANSMISSION("confirmed-retransmissions"),
        /** A JoinRequest whose DevNonce the device used before (a replayed join), or not above the last (1.0.4). */
        DEV_NONCE_REUSED("dev-nonce-replayed"),
        /** No free DevAddr is left in the configured range for a joining device. */
        NO_DEV_ADDR("no-dev-addr");

        private final String metric;

        Reason(String metric) {
            this.metric = metric;
        }

        public String metric() {
            return metric;
        }
    }

    private final Reason reason;

    public FrameException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
