package io.sluice.spi.destination;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Sample;

/**
 * A sample on its way out of the store.
 *
 * @param stream     the stream it was read from
 * @param sequence   its 64-bit sequence number within that stream
 * @param connector  the connector instance that produced it
 * @param sample     the sample itself
 * @param asset      the asset context of its tag (site, area, line, machine, ...)
 * @param note       the note it was stored with, or null: samples in a dead-letter or fallback stream carry where
 *                   they came from and why they were moved ({@code dead-letter origin=... reason=...})
 */
public record OutboundSample(String stream, long sequence, String connector, Sample sample, AssetContext asset, String note) {

    /** A sample stored without a note. */
    public OutboundSample(String stream, long sequence, String connector, Sample sample, AssetContext asset) {
        this(stream, sequence, connector, sample, asset, null);
    }

    /** Looks up a template placeholder: an asset level, or {@code tag}, {@code connector}, {@code stream}. */
    public String placeholder(String name) {
        return switch (name) {
            case "tag" -> sample.tag();
            case "connector" -> connector;
            case "stream" -> stream;
            case "unit" -> sample.unit();
            default -> asset.get(name);
        };
    }
}
