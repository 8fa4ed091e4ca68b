package io.sluice.runtime.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeadLetterNoteTest {

    @Test
    void aNoteReadsBackWithItsOriginAndAReasonHoldingSpacesAndEquals() {
        DeadLetterNote note = new DeadLetterNote("line-1.fast", 120, 129, "sitewise", "InvalidRequestException: value=NaN is out of range");
        String text = note.format();
        assertEquals("dead-letter origin=line-1.fast first=120 last=129 destination=sitewise reason=InvalidRequestException: value=NaN is out of range", text);
        assertEquals(Optional.of(note), DeadLetterNote.parse(text));
        assertEquals(125, note.originSequence(5));
        assertEquals(-1, note.originSequence(10));
    }

    @Test
    void notesOfOlderStoresAreReadWithTheirFirstSequence() {
        DeadLetterNote note = DeadLetterNote.parse("destination out rejected samples of stream high from sequence 20: value out of range").orElseThrow();
        assertEquals(new DeadLetterNote("high", 20, -1, "out", "value out of range"), note);
        assertEquals(20, note.originSequence(0));
        assertEquals(-1, note.originSequence(1));
        assertTrue(DeadLetterNote.parse(null).isEmpty());
        assertTrue(DeadLetterNote.parse("something else").isEmpty());
    }
}
