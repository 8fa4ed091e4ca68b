package io.sluice.destination.iotcore;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.AssetContext;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When {@link IotPayloadFormat#mostlyOneValuePerTag} takes the wide layout without comparing: a tag is its stream, connector and name. */
@Timeout(10)
class LayoutChoiceTest {

    private static OutboundSample s(String stream, String connector, String tag, long seq) {
        return new OutboundSample(stream, seq, connector, Sample.good(tag, Value.of(1.0), seq), AssetContext.EMPTY);
    }

    private static boolean wide(List<OutboundSample> samples) {
        return IotPayloadFormat.mostlyOneValuePerTag(samples, 0, samples.size());
    }

    @Test
    void oneTagNameInSeveralStreamsOrConnectorsIsSeveralTags() {
        List<OutboundSample> streams = new ArrayList<>();
        List<OutboundSample> connectors = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            streams.add(s("a", "plc", "t" + i, i));
            streams.add(s("b", "plc", "t" + i, i));
            connectors.add(s("a", "plc1", "t" + i, 2 * i));
            connectors.add(s("a", "plc2", "t" + i, 2 * i + 1));
        }
        assertTrue(wide(streams), "one value for each of 200 tags");
        assertTrue(wide(connectors), "one value for each of 200 tags");
    }

    @Test
    void twoValuesPerTagAreNotMostlyOne() {
        List<OutboundSample> twice = new ArrayList<>();
        List<OutboundSample> twiceInTwoStreams = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            twice.add(s("a", "plc", "t" + (i % 100), i));
            twiceInTwoStreams.add(s(i % 2 == 0 ? "a" : "b", "plc", "t" + (i % 50), i));
        }
        assertFalse(wide(twice));
        assertFalse(wide(twiceInTwoStreams), "100 tags (50 names in two streams), two values each");
    }

    @Test
    void theBoundIsOneAndAHalfValuesPerTag() {
        List<OutboundSample> samples = new ArrayList<>();
        for (int i = 0; i < 100; i++) samples.add(s("a", "plc", "t" + i, i));
        for (int i = 0; i < 50; i++) samples.add(s("a", "plc", "t" + i, 100 + i));
        assertTrue(wide(samples), "150 values of 100 tags");
        samples.add(s("a", "plc", "t60", 150));
        assertFalse(wide(samples), "151 values of 100 tags");
        List<OutboundSample> mixed = new ArrayList<>(samples.subList(0, 150));
        mixed.add(s("b", "plc", "t60", 150)); // the same name in another stream: a tag of its own
        assertTrue(wide(mixed), "151 values of 101 tags");
    }
}
