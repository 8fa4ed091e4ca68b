package io.sluice.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TagDictionaryTest {

    private final TagDictionary dictionary = new TagDictionary();

    @Test
    void positionalIdsFollowTheTagAtEachPositionWhateverTheOrder() {
        TagDictionary.Positional byPosition = dictionary.positional();
        String a = "line/a";
        String b = "line/b";
        assertEquals(dictionary.idOf("line/a"), byPosition.idOf(0, a));
        assertEquals(dictionary.idOf("line/b"), byPosition.idOf(1, b));
        // the same objects again, then swapped, then equal strings that are other objects
        assertEquals(dictionary.idOf("line/a"), byPosition.idOf(0, a));
        assertEquals(dictionary.idOf("line/a"), byPosition.idOf(1, a));
        assertEquals(dictionary.idOf("line/b"), byPosition.idOf(0, b));
        assertEquals(dictionary.idOf("line/b"), byPosition.idOf(0, new String("line/b")));
        assertEquals(dictionary.idOf("line/c"), byPosition.idOf(0, "line/c"));
        assertEquals(dictionary.idOf("line/c"), byPosition.idOf(TagDictionary.Positional.MAX_POSITIONS + 5, "line/c"));
    }

    @Test
    void blocksEncodedByPositionDecodeToTheirOwnTags() {
        TagDictionary.Positional byPosition = dictionary.positional();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 50; i++) names.add("tag-" + i);
        List<Sample> first = samples(names);
        List<String> reordered = new ArrayList<>(names.subList(25, 50));
        reordered.addAll(names.subList(0, 20));
        reordered.add("tag-new");
        for (String fresh : List.of("tag-0", "tag-1")) reordered.add(new String(fresh));
        List<Sample> second = samples(reordered);
        assertEquals(names, decodedTags(BlockCodec.encode(first, 0, first.size(), byPosition)));
        assertEquals(names, decodedTags(BlockCodec.encode(first, 0, first.size(), byPosition)));
        assertEquals(reordered, decodedTags(BlockCodec.encode(second, 0, second.size(), byPosition)));
        assertEquals(names.subList(10, 50), decodedTags(BlockCodec.encode(first, 10, first.size(), byPosition)));
    }

    private List<String> decodedTags(byte[] block) {
        List<String> out = new ArrayList<>();
        BlockCodec.decode(block, 0, dictionary, (index, sample) -> out.add(sample.tag()));
        return out;
    }

    private static List<Sample> samples(List<String> tags) {
        List<Sample> out = new ArrayList<>();
        long t = 1_700_000_000_000_000_000L;
        for (String tag : tags) out.add(new Sample(tag, Value.of(1.5), Quality.GOOD, 0, t, Sample.NO_SERVER_TIME, t, null));
        return out;
    }
}
