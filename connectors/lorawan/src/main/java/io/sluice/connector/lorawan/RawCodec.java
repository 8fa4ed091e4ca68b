package io.sluice.connector.lorawan;

import io.sluice.spi.Value;
import java.util.List;

/** Passes the decrypted payload on unchanged, as one bytes field named {@code payload}. */
public final class RawCodec implements PayloadCodec {

    public static final RawCodec INSTANCE = new RawCodec();

    @Override
    public List<DecodedField> decode(byte[] payload, int fport) {
        return List.of(new DecodedField("payload", Value.of(payload), null));
    }
}
