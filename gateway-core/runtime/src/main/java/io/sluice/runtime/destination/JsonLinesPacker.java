package io.sluice.runtime.destination;

import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.PackResult;
import io.sluice.spi.destination.Packet;
import java.util.ArrayList;
import java.util.List;

/** Packs samples into JSON Lines packets of at most {@code samplesPerPacket}, one ordering key per stream. */
final class JsonLinesPacker {

    private JsonLinesPacker() {}

    static PackResult pack(List<OutboundSample> samples, int samplesPerPacket) {
        List<Packet> packets = new ArrayList<>();
        int start = 0;
        while (start < samples.size()) {
            String stream = samples.get(start).stream();
            int end = start;
            while (end < samples.size() && end - start < samplesPerPacket && samples.get(end).stream().equals(stream)) end++;
            List<OutboundSample> slice = samples.subList(start, end);
            byte[] body = SampleJson.encodeLines(slice);
            packets.add(new Packet(stream, body.length, slice, body));
            start = end;
        }
        return PackResult.of(packets);
    }
}
