package io.sluice.samplejson;

import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.destination.OutboundSample;
import java.util.Map;

/**
 * What makes samples one series: stream, connector, tag, asset, value type, quality, status code, unit and whether
 * they have a server time (so a series has one for every sample or for none). The hash is computed once; equality
 * checks the likeliest difference (tag) first.
 */
final class SeriesKey {

    final String stream, connector, tag, type, unit;
    final Map<String, String> asset;
    final Quality quality;
    final long status;
    final boolean serverTime;
    private final int hash;

    SeriesKey(OutboundSample s) {
        Sample x = s.sample();
        stream = s.stream();
        connector = s.connector();
        tag = x.tag();
        asset = s.asset() == null ? Map.of() : s.asset().levels();
        type = x.value().typeName();
        quality = x.quality();
        status = x.statusCode();
        unit = x.unit();
        serverTime = x.hasServerTime();
        int h = tag.hashCode();
        h = 31 * h + stream.hashCode();
        h = 31 * h + connector.hashCode();
        h = 31 * h + type.hashCode();
        h = 31 * h + quality.ordinal();
        h = 31 * h + Long.hashCode(status);
        h = 31 * h + Boolean.hashCode(serverTime);
        hash = h;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof SeriesKey k) || k.hash != hash) return false;
        return same(tag, k.tag) && quality == k.quality && status == k.status && serverTime == k.serverTime
                && same(type, k.type)
                && same(stream, k.stream) && same(connector, k.connector) && same(unit, k.unit)
                && (asset == k.asset || asset.equals(k.asset));
    }

    private static boolean same(String a, String b) {
        return a == b || (a != null && a.equals(b));
    }
}
