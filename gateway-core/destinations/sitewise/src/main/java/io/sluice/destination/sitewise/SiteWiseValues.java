package io.sluice.destination.sitewise;

import io.sluice.spi.Value;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.services.iotsitewise.model.AssetPropertyValue;
import software.amazon.awssdk.services.iotsitewise.model.PropertyValueNullValue;
import software.amazon.awssdk.services.iotsitewise.model.Quality;
import software.amazon.awssdk.services.iotsitewise.model.RawValueType;
import software.amazon.awssdk.services.iotsitewise.model.TimeInNanos;
import software.amazon.awssdk.services.iotsitewise.model.Variant;

/**
 * How Sluice samples become SiteWise TQVs (timestamp, quality, value), and which samples cannot.
 *
 * <table>
 *   <caption>Value mapping</caption>
 *   <tr><th>Sluice value</th><th>SiteWise Variant</th><th>refused when</th></tr>
 *   <tr><td>float</td><td>doubleValue</td><td>outside [-10^10, 10^10] or infinite (NaN is sent)</td></tr>
 *   <tr><td>integer</td><td>integerValue</td><td>outside the 32-bit range of SiteWise integers</td></tr>
 *   <tr><td>boolean</td><td>booleanValue</td><td>never</td></tr>
 *   <tr><td>string</td><td>stringValue</td><td>longer than 1024 characters or with control characters</td></tr>
 *   <tr><td>bytes, array, struct</td><td>—</td><td>always: SiteWise has no such type</td></tr>
 * </table>
 * Quality maps one to one (GOOD, UNCERTAIN, BAD). The source timestamp becomes seconds + nanosecond offset.
 *
 * <p>A BAD or UNCERTAIN sample without a value (connectors carry "no value" as an empty string, e.g. an OPC UA
 * DataValue with a bad status and no Variant) becomes a {@code nullValue} of the property's type ({@code D}, {@code I},
 * {@code B}, {@code S}); a GOOD empty string is a string value.
 */
public final class SiteWiseValues {

    /** The largest magnitude SiteWise accepts for a double. */
    public static final double DOUBLE_LIMIT = 1e10;
    /** The longest string value SiteWise accepts. */
    public static final int STRING_LIMIT = 1024;
    /** The longest property alias BatchPutAssetPropertyValue accepts (PutAssetPropertyValueEntry.propertyAlias). */
    public static final int ALIAS_LIMIT = 1000;

    private SiteWiseValues() {}

    /** Thrown for a sample that can never be sent; the message is the dead-letter reason. */
    public static final class Unsendable extends Exception {
        public Unsendable(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The Variant for {@code value}. */
    public static Variant variant(Value value) throws Unsendable {
        if (value instanceof Value.FloatValue f) {
            double d = f.value();
            if (Double.isInfinite(d) || (!Double.isNaN(d) && Math.abs(d) > DOUBLE_LIMIT)) {
                throw new Unsendable("float " + d + " is outside SiteWise's double range [-1e10, 1e10]");
            }
            return Variant.builder().doubleValue(d).build();
        }
        if (value instanceof Value.IntValue i) {
            long l = i.value();
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw new Unsendable("integer " + l + " is outside SiteWise's 32-bit integer range");
            }
            return Variant.builder().integerValue((int) l).build();
        }
        if (value instanceof Value.BoolValue b) {
            return Variant.builder().booleanValue(b.value()).build();
        }
        if (value instanceof Value.StringValue s) {
            String text = s.value();
            if (text.length() > STRING_LIMIT) {
                throw new Unsendable("string of " + text.length() + " characters is longer than SiteWise's " + STRING_LIMIT);
            }
            if (hasControlCharacter(text)) {
                throw new Unsendable("string contains control characters, which SiteWise refuses");
            }
            return Variant.builder().stringValue(text).build();
        }
        throw new Unsendable("value type '" + value.typeName() + "' has no SiteWise equivalent "
                + "(double, integer, boolean and string only)");
    }

    /** Whether {@code sample} is a BAD or UNCERTAIN sample that carries no value (the empty-string marker). */
    public static boolean hasNoValue(io.sluice.spi.Sample sample) {
        return sample.quality() != io.sluice.spi.Quality.GOOD
                && sample.value() instanceof Value.StringValue s && s.value().isEmpty();
    }

    /** The {@code nullValue.valueType} matching {@code variant}'s member. */
    public static RawValueType rawType(Variant variant) {
        if (variant.doubleValue() != null) return RawValueType.D;
        if (variant.integerValue() != null) return RawValueType.I;
        if (variant.booleanValue() != null) return RawValueType.B;
        if (variant.stringValue() != null) return RawValueType.S;
        return variant.nullValue() == null ? RawValueType.U : variant.nullValue().valueType();
    }

    /**
     * The TQV of a sample without a value: a {@code nullValue} of {@code type}, or {@code U} when no value of the
     * property has been seen yet.
     */
    public static AssetPropertyValue nullTqv(io.sluice.spi.Sample sample, RawValueType type) {
        return AssetPropertyValue.builder()
                .value(Variant.builder().nullValue(PropertyValueNullValue.builder()
                        .valueType(type == null ? RawValueType.U : type).build()).build())
                .quality(quality(sample.quality()))
                .timestamp(timestamp(sample.sourceTimeNanos()))
                .build();
    }

    public static Quality quality(io.sluice.spi.Quality quality) {
        return switch (quality) {
            case GOOD -> Quality.GOOD;
            case UNCERTAIN -> Quality.UNCERTAIN;
            case BAD -> Quality.BAD;
        };
    }

    public static TimeInNanos timestamp(long epochNanos) {
        return TimeInNanos.builder()
                .timeInSeconds(Math.floorDiv(epochNanos, 1_000_000_000L))
                .offsetInNanos((int) Math.floorMod(epochNanos, 1_000_000_000L))
                .build();
    }


    /** Checks a rendered property alias against SiteWise's constraints. */
    public static void checkAlias(String alias) throws Unsendable {
        if (alias.isEmpty() || alias.length() > ALIAS_LIMIT) {
            throw new Unsendable("property alias must have 1 to " + ALIAS_LIMIT + " characters, has " + alias.length());
        }
        if (hasControlCharacter(alias)) {
            throw new Unsendable("property alias '" + alias.replaceAll("\\p{Cntrl}", "?") + "' contains control characters");
        }
    }

    /** The TQV of one sample. */
    public static AssetPropertyValue tqv(io.sluice.spi.Sample sample) throws Unsendable {
        return AssetPropertyValue.builder()
                .value(variant(sample.value()))
                .quality(quality(sample.quality()))
                .timestamp(timestamp(sample.sourceTimeNanos()))
                .build();
    }

    /** An estimate of the TQV's JSON size on the wire, for byte limits and byte rates. */
    public static int estimateBytes(Value value) {
        int base = 96; // {"value":{"doubleValue":...},"timestamp":{"timeInSeconds":...,"offsetInNanos":...},"quality":"..."}
        if (value instanceof Value.StringValue s) {
            return base + s.value().getBytes(StandardCharsets.UTF_8).length + 8;
        }
        return base + 24;
    }

    private static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x1F || c == 0x7F) return true;
        }
        return false;
    }
}
