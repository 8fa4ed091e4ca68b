package io.sluice.samplejson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.OutboundSample;
import io.sluice.spi.destination.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SizeLimitedPackerTest {

    /** A fake encoding: 10 bytes of framing plus each sample's string value. */
    private static byte[] encode(List<OutboundSample> samples, int from, int to) {
        int size = 10;
        for (int i = from; i < to; i++) size += ((Value.StringValue) samples.get(i).sample().value()).value().length();
        return new byte[size];
    }

    private static List<OutboundSample> ofLengths(int... lengths) {
        List<OutboundSample> out = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            out.add(new OutboundSample("s", i, "c", Sample.good("t", Value.of("x".repeat(lengths[i])), i), null));
        }
        return out;
    }

    @Test
    void chunksAreContiguousInOrderAndWithinTheBudget() {
        Random random = new Random(11);
        int[] lengths = new int[5000];
        for (int i = 0; i < lengths.length; i++) lengths[i] = i % 7 == 0 ? 200 + random.nextInt(400) : random.nextInt(20);
        List<OutboundSample> in = ofLengths(lengths);
        int fewest = encode(in, 0, in.size()).length / 4096 + 1;
        for (double guess : new double[] {1, 12, 120}) {
            List<SizeLimitedPacker.Chunk> chunks = new ArrayList<>();
            List<Rejection> rejected = new ArrayList<>();
            new SizeLimitedPacker(SizeLimitedPackerTest::encode, guess, "%d > %d").pack(in, 4096, chunks::add, rejected);
            assertTrue(rejected.isEmpty());
            int next = 0;
            for (SizeLimitedPacker.Chunk c : chunks) {
                assertEquals(next, c.from(), "guess " + guess);
                assertTrue(c.to() > c.from());
                assertTrue(c.data().length <= 4096, "guess " + guess + ": chunk of " + c.data().length);
                assertEquals(encode(in, c.from(), c.to()).length, c.data().length);
                next = c.to();
            }
            assertEquals(in.size(), next);
            assertTrue(chunks.size() < fewest * 1.5,
                    "guess " + guess + ": " + chunks.size() + " chunks, " + fewest + " at the fewest");
        }
    }

    @Test
    void aSampleThatCannotFitAloneIsRejectedWithTheFormattedReason() {
        List<OutboundSample> in = ofLengths(5, 5, 3000, 5);
        List<SizeLimitedPacker.Chunk> chunks = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        new SizeLimitedPacker(SizeLimitedPackerTest::encode, 40, "sample is %d bytes, the limit %d bytes")
                .pack(in, 1000, chunks::add, rejected);
        assertEquals(1, rejected.size());
        assertEquals(2, rejected.get(0).sample().sequence());
        assertEquals("sample is 3010 bytes, the limit 1000 bytes", rejected.get(0).reason());
        assertEquals(3, chunks.stream().mapToInt(c -> c.to() - c.from()).sum());
    }
}
