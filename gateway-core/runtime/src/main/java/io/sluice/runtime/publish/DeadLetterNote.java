package io.sluice.runtime.publish;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a dead-lettered run of samples came from and why, kept as the store's {@code note} of the append that moved
 * them (one append per run: one origin stream, consecutive origin sequences, one connector, one reason), so the
 * dead-letter stream's i-th sample of that append is origin sequence {@code first + i}.
 *
 * <p>The note is one line (names never hold spaces; the reason, last, may):
 * <pre>
 * dead-letter origin=&lt;stream&gt; first=&lt;seq&gt; last=&lt;seq&gt; destination=&lt;name&gt; reason=&lt;text&gt;
 * </pre>
 * Notes written before this form ({@code destination D rejected samples of stream S from sequence N: reason}) are
 * read too; they name the first origin sequence only.
 *
 * @param last the last origin sequence, or -1 when unknown (older notes)
 */
public record DeadLetterNote(String originStream, long firstSequence, long lastSequence, String destination, String reason) {

    private static final Pattern CURRENT = Pattern.compile(
            "dead-letter origin=(\\S+) first=(\\d+) last=(-?\\d+) destination=(\\S+) reason=(.*)", Pattern.DOTALL);
    private static final Pattern LEGACY = Pattern.compile(
            "destination (\\S+) rejected samples of stream (\\S+) from sequence (\\d+): (.*)", Pattern.DOTALL);

    public String format() {
        return "dead-letter origin=" + originStream + " first=" + firstSequence + " last=" + lastSequence
                + " destination=" + destination + " reason=" + reason.replace('\n', ' ');
    }

    /** The origin sequence of the {@code index}-th sample of the append, or -1 when the note does not say. */
    public long originSequence(int index) {
        if (lastSequence < 0) return index == 0 ? firstSequence : -1;
        long seq = firstSequence + index;
        return seq <= lastSequence ? seq : -1;
    }

    /** Reads a note in either form; empty for notes that are not dead-letter notes (or null). */
    public static Optional<DeadLetterNote> parse(String note) {
        if (note == null) return Optional.empty();
        Matcher m = CURRENT.matcher(note);
        if (m.matches()) {
            return Optional.of(new DeadLetterNote(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    m.group(4), m.group(5)));
        }
        m = LEGACY.matcher(note);
        if (m.matches()) {
            return Optional.of(new DeadLetterNote(m.group(2), Long.parseLong(m.group(3)), -1, m.group(1), m.group(4)));
        }
        return Optional.empty();
    }
}
