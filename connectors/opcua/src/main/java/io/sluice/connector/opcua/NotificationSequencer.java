package io.sluice.connector.opcua;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Lets the NotificationMessages of each subscription through once, in sequence-number order, whatever order and
 * however often they arrive (publish responses handled out of order, Republish answers for messages that also arrive
 * on their own, a server that sends its queue again).
 *
 * <p>Per subscription it keeps the next sequence number to deliver and the messages that arrived ahead of it. A message
 * below that number, or one already held, is a duplicate and is dropped. A gap (a missing number below a held message
 * or below a number the server is known to have sent) is waited for until the server says it no longer has the
 * message (its Republish failed: {@link #unavailable}), until {@code maxWaitNanos} have passed, or until more than
 * {@code maxHeld} messages wait behind it; then the gap is reported as lost and delivery goes on. Memory is bounded
 * by {@code maxHeld} messages and as many sequence numbers per subscription.
 *
 * <p>Sequence numbers are compared as plain numbers: a subscription would need 2^32 messages (years at a 20 ms
 * publishing interval) before they wrap. Not thread-safe on its own terms: every method is synchronized, and the
 * receiver is called with the lock held, so deliveries of one sequencer never interleave.
 *
 * @param <T> the message payload
 */
final class NotificationSequencer<T> {

    /** Where ordered messages go. Called with the sequencer's lock held. */
    interface Receiver<T> {

        void deliver(long subscriptionId, long sequenceNumber, T message);

        /** {@code count} messages from {@code firstSequenceNumber} on will never come. */
        void lost(long subscriptionId, long firstSequenceNumber, long count);
    }

    private final Receiver<T> receiver;
    private final int maxHeld;
    private final long maxWaitNanos;
    private final Map<Long, Stream<T>> streams = new HashMap<>();

    private static final class Stream<T> {
        long next;                          // the next sequence number to deliver; 0 = nothing seen yet
        long knownUpTo;                     // the highest sequence number the server is known to have sent
        final TreeMap<Long, T> held = new TreeMap<>();
        final TreeSet<Long> unavailable = new TreeSet<>();
        long gapSinceNanos;                 // when the current gap was first seen; 0 = no gap
    }

    NotificationSequencer(Receiver<T> receiver, int maxHeld, long maxWaitNanos) {
        this.receiver = receiver;
        this.maxHeld = maxHeld;
        this.maxWaitNanos = maxWaitNanos;
    }

    /** A subscription was created: its first message will be sequence number 1 (OPC UA Part 4, 7.26). */
    synchronized void begin(long subscriptionId) {
        Stream<T> s = new Stream<>();
        s.next = 1;
        streams.put(subscriptionId, s);
    }

    /**
     * A message with notifications arrived. Returns true when it is new (held or delivered now), false when it is a
     * duplicate of one already delivered or held.
     */
    synchronized boolean offer(long subscriptionId, long sequenceNumber, T message, long nowNanos) {
        Stream<T> s = streams.computeIfAbsent(subscriptionId, id -> new Stream<>());
        if (s.next == 0) s.next = sequenceNumber;
        if (sequenceNumber < s.next || s.held.containsKey(sequenceNumber)) return false;
        s.held.put(sequenceNumber, message);
        s.knownUpTo = Math.max(s.knownUpTo, sequenceNumber);
        drain(subscriptionId, s, nowNanos);
        return true;
    }

    /**
     * A keep-alive: the server's next sequence number will be {@code nextSequenceNumber}, so every number below it
     * has been sent. Also gives a waiting gap the chance to time out.
     */
    synchronized void keepAlive(long subscriptionId, long nextSequenceNumber, long nowNanos) {
        Stream<T> s = streams.get(subscriptionId);
        if (s == null || s.next == 0) return;
        s.knownUpTo = Math.max(s.knownUpTo, nextSequenceNumber - 1);
        drain(subscriptionId, s, nowNanos);
    }

    /** The server says it no longer has this message (a Republish of it failed). */
    synchronized void unavailable(long subscriptionId, long sequenceNumber, long nowNanos) {
        Stream<T> s = streams.get(subscriptionId);
        if (s == null || s.next == 0 || sequenceNumber < s.next || s.held.containsKey(sequenceNumber)) return;
        if (sequenceNumber - s.next > maxHeld) return; // far ahead of anything we wait for: ignore, keep memory bounded
        s.unavailable.add(sequenceNumber);
        s.knownUpTo = Math.max(s.knownUpTo, sequenceNumber);
        drain(subscriptionId, s, nowNanos);
    }

    /** Gives waiting gaps of every subscription the chance to time out. */
    synchronized void expire(long nowNanos) {
        streams.forEach((id, s) -> drain(id, s, nowNanos));
    }

    /** Whether the message was delivered, is held, or was given up (so acknowledging it loses nothing). */
    synchronized boolean received(long subscriptionId, long sequenceNumber) {
        Stream<T> s = streams.get(subscriptionId);
        return s != null && s.next != 0 && (sequenceNumber < s.next || s.held.containsKey(sequenceNumber));
    }

    /**
     * Moves a subscription's position and held messages to {@code other}: the subscription was transferred to the
     * session {@code other} serves, and its numbering goes on there.
     */
    synchronized void moveTo(long subscriptionId, NotificationSequencer<T> other) {
        Stream<T> s = streams.remove(subscriptionId);
        if (s == null) return;
        synchronized (other) {
            other.streams.put(subscriptionId, s);
        }
    }

    /** The next sequence number this subscription expects (1 for one not seen yet). */
    synchronized long nextExpected(long subscriptionId) {
        Stream<T> s = streams.get(subscriptionId);
        return s == null || s.next == 0 ? 1 : s.next;
    }

    /** Forgets a subscription (deleted, or its id may be reused by a restarted server). */
    synchronized void forget(long subscriptionId) {
        streams.remove(subscriptionId);
    }

    /** Messages waiting for a gap to close, over all subscriptions. */
    synchronized int heldCount() {
        return streams.values().stream().mapToInt(s -> s.held.size()).sum();
    }

    private void drain(long id, Stream<T> s, long now) {
        while (true) {
            Map.Entry<Long, T> first = s.held.firstEntry();
            if (first != null && first.getKey() == s.next) {
                s.held.pollFirstEntry();
                s.next++;
                s.gapSinceNanos = 0;
                receiver.deliver(id, first.getKey(), first.getValue());
                continue;
            }
            long gapEnd = first != null ? first.getKey() : s.knownUpTo + 1; // exclusive
            if (gapEnd <= s.next) {
                s.gapSinceNanos = 0;
                break;
            }
            if (s.gapSinceNanos == 0) s.gapSinceNanos = now;
            boolean allUnavailable = s.unavailable.subSet(s.next, gapEnd).size() == gapEnd - s.next;
            boolean waitedTooLong = now - s.gapSinceNanos >= maxWaitNanos;
            if (allUnavailable || waitedTooLong || s.held.size() > maxHeld) {
                long from = s.next;
                s.next = gapEnd;
                s.gapSinceNanos = 0;
                receiver.lost(id, from, gapEnd - from);
                continue;
            }
            break;
        }
        s.unavailable.headSet(s.next).clear();
    }
}
