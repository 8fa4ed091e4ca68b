package io.sluice.connector.lorawan;

import io.sluice.spi.Value;

/**
 * One field decoded from an application payload.
 *
 * @param name  the field name, becomes the last part of the tag ({@code <device>.<name>})
 * @param value the value
 * @param unit  engineering unit or null
 */
public record DecodedField(String name, Value value, String unit) {}
