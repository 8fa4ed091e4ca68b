package io.sluice.connector.lorawan;

/** LoRaWAN message types (MHDR bits 7..5). */
public enum MType {
    JOIN_REQUEST("JoinRequest", false),
    JOIN_ACCEPT("JoinAccept", false),
    UNCONFIRMED_DATA_UP("UnconfirmedDataUp", true),
    UNCONFIRMED_DATA_DOWN("UnconfirmedDataDown", true),
    CONFIRMED_DATA_UP("ConfirmedDataUp", true),
    CONFIRMED_DATA_DOWN("ConfirmedDataDown", true),
    REJOIN_REQUEST("RejoinRequest", false),
    PROPRIETARY("Proprietary", false);

    private static final MType[] BY_CODE = values();

    private final String specName;
    private final boolean data;

    MType(String specName, boolean data) {
        this.specName = specName;
        this.data = data;
    }

    public static MType of(int mhdr) {
        return BY_CODE[(mhdr >> 5) & 0x07];
    }

    /** The name the specification uses, e.g. {@code UnconfirmedDataUp}. */
    public String specName() {
        return specName;
    }

    public boolean isData() {
        return data;
    }

    public boolean isUplink() {
        return this == UNCONFIRMED_DATA_UP || this == CONFIRMED_DATA_UP;
    }

    /** 0 for uplinks, 1 for downlinks (the Dir byte of B0 and A_i). */
    public int direction() {
        return this == UNCONFIRMED_DATA_DOWN || this == CONFIRMED_DATA_DOWN || this == JOIN_ACCEPT ? 1 : 0;
    }
}
