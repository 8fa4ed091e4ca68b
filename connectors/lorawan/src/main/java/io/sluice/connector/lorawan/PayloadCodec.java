package io.sluice.connector.lorawan;

import java.util.List;

/** Turns a decrypted application payload into named fields. Implementations are immutable and thread-safe. */
public interface PayloadCodec {

    /**
     * Decodes {@code payload} received on {@code fport}.
     *
     * @throws CodecException when the payload does not fit the codec (truncated, unknown type)
     */
    List<DecodedField> decode(byte[] payload, int fport) throws CodecException;

    /** Why a payload could not be decoded. */
    final class CodecException extends Exception {
        public CodecException(String message) {
            super(message, null, false, false);
        }
    }
}
