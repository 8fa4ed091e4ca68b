package io.sluice.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.runtime.destination.SampleJson;
import io.sluice.runtime.store.ReadBatch;
import io.sluice.runtime.store.SqliteStreamStore;
import io.sluice.runtime.store.StoredSample;
import io.sluice.runtime.store.StreamStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Live tails of streams as Server-Sent Events ({@code GET /api/v1/streams/{name}/tail?last=N}).
 *
 * <p>A tail reads committed samples through the store's read path (its own SQLite reader connection, never the
 * writer or the ingest path), polling every {@value #POLL_MILLIS} ms on the admin's tail thread. Each client has at
 * most one write in flight and at most {@code admin.tail-buffer} samples per write: while a slow client's write is
 * pending, nothing more is read for it; when it has fallen further behind than the buffer, the samples in between
 * are skipped and it gets {@code event: dropped} with {@code data: {"dropped":N}}. Ingest never waits for a client.
 *
 * <pre>
 *   : tail of telemetry             (comment, on connect)
 *   data: {"stream":"telemetry","seq":42,...}   one sample per event, the file destination's JSON form
 *   event: dropped
 *   data: {"dropped":1234}
 *   : ping                          (every 10 s without data, keeps proxies and idle timeouts quiet)
 * </pre>
 */
final class StreamTails implements AutoCloseable {

    static final long POLL_MILLIS = 200;
    static final long PING_MILLIS = 10_000;
    static final int MAX_REPLAY = 1000;
    private static final JsonFactory JSON = new JsonFactory();

    private final SqliteStreamStore store;
    private final ScheduledExecutorService executor;
    private final int maxTails;
    private final int buffer;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Tail> tails = ConcurrentHashMap.newKeySet();

    StreamTails(SqliteStreamStore store, ScheduledExecutorService executor, int maxTails, int buffer) {
        this.store = store;
        this.executor = executor;
        this.maxTails = maxTails;
        this.buffer = buffer;
    }

    int open() {
        return open.get();
    }

    void handle(AdminExchange exchange) {
        String stream = exchange.pathParam("name");
        StreamStats stats = store.stats(stream);
        if (stats == null) throw new AdminException(404, "no stream '" + stream + "'");
        int last = exchange.queryInt("last", 0, 0, MAX_REPLAY);
        if (open.incrementAndGet() > maxTails) {
            open.decrementAndGet();
            throw new AdminException(503, maxTails + " tails are open already (admin.max-tails); close one");
        }
        exchange.stream();
        Response response = exchange.response();
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Accel-Buffering", "no");
        long next = stats.nextSequence();
        Tail tail = new Tail(stream, Math.max(stats.firstSequence(), next - last), response, exchange.callback());
        tails.add(tail);
        tail.write(": tail of " + stream + "\n\n");
        tail.task = executor.scheduleWithFixedDelay(tail::poll, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        for (Tail t : tails) t.finish(null);
    }

    private final class Tail {
        private final String stream;
        private final Response response;
        private final Callback done;
        private final AtomicBoolean writing = new AtomicBoolean();
        private final AtomicBoolean finished = new AtomicBoolean();
        private long cursor;
        private long lastWriteMillis = System.currentTimeMillis();
        volatile ScheduledFuture<?> task;

        Tail(String stream, long from, Response response, Callback done) {
            this.stream = stream;
            this.cursor = from;
            this.response = response;
            this.done = done;
        }

        /** One poll on the tail thread: skip what the client cannot take, then send one bounded batch. */
        void poll() {
            if (finished.get() || writing.get()) return;
            try {
                long next = store.nextSequence(stream);
                StringBuilder out = new StringBuilder();
                long behind = next - cursor;
                if (behind > buffer) {
                    long dropped = behind - buffer;
                    cursor += dropped;
                    out.append("event: dropped\ndata: {\"dropped\":").append(dropped).append("}\n\n");
                }
                if (cursor < next) {
                    ReadBatch batch = store.read(stream, cursor, buffer);
                    if (!batch.isEmpty() && batch.samples().get(0).sequence() > cursor) {
                        long lost = batch.samples().get(0).sequence() - cursor; // removed by retention meanwhile
                        out.append("event: dropped\ndata: {\"dropped\":").append(lost).append("}\n\n");
                    }
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    try (JsonGenerator g = JSON.createGenerator(bytes)) {
                        g.setRootValueSeparator(null);
                        for (StoredSample s : batch.samples()) {
                            bytes.write("data: ".getBytes(StandardCharsets.US_ASCII));
                            SampleJson.write(g, stream, s.sequence(), s.connector(), s.sample(), Map.of());
                            g.flush();
                            bytes.write("\n\n".getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                    out.append(bytes.toString(StandardCharsets.UTF_8));
                    cursor = Math.max(cursor, batch.nextSequence());
                }
                long now = System.currentTimeMillis();
                if (out.length() == 0 && now - lastWriteMillis >= PING_MILLIS) out.append(": ping\n\n");
                if (out.length() > 0) write(out.toString());
            } catch (IOException | RuntimeException e) {
                finish(e);
            }
        }

        void write(String text) {
            writing.set(true);
            lastWriteMillis = System.currentTimeMillis();
            response.write(false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), new Callback() {
                @Override
                public void succeeded() {
                    writing.set(false);
                }

                @Override
                public void failed(Throwable x) {
                    finish(x); // the client went away
                }
            });
        }

        void finish(Throwable failure) {
            if (!finished.compareAndSet(false, true)) return;
            ScheduledFuture<?> t = task;
            if (t != null) t.cancel(false);
            tails.remove(this);
            open.decrementAndGet();
            if (failure == null) response.write(true, ByteBuffer.allocate(0), done);
            else done.failed(failure);
        }
    }
}
