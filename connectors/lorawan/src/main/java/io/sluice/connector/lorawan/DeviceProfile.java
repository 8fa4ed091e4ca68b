package io.sluice.connector.lorawan;

import java.util.List;
import java.util.Set;

/** A named codec with the FPorts it applies to (empty = all). */
public record DeviceProfile(String name, PayloadCodec codec, Set<Integer> fports) {

    public DeviceProfile {
        fports = Set.copyOf(fports);
    }

    public static DeviceProfile of(String name, LoRaWanConnectorConfig.Profile p) {
        PayloadCodec codec = switch (p.codec()) {
            case CAYENNE_LPP -> CayenneLppCodec.INSTANCE;
            case RAW -> RawCodec.INSTANCE;
            case BYTE_LAYOUT -> new ByteLayoutCodec(p.fields());
        };
        return new DeviceProfile(name, codec, Set.copyOf(p.fports()));
    }

    /** Decodes with the profile's codec, or as raw bytes when {@code fport} is not one of the profile's ports. */
    public List<DecodedField> decode(byte[] payload, int fport) throws PayloadCodec.CodecException {
        if (!fports.isEmpty() && !fports.contains(fport)) {
            return RawCodec.INSTANCE.decode(payload, fport);
        }
        return codec.decode(payload, fport);
    }
}
