package io.sluice.rigs.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on 127.0.0.1 (a free port) that forwards to one upstream address and injects faults, switchable at
 * runtime:
 *
 * <ul>
 *   <li>{@link Mode#PASS} — forward bytes both ways unchanged.</li>
 *   <li>{@link Mode#DELAY} — forward, but hold every chunk for a fixed time before writing it on (reading stops
 *       meanwhile, so it also slows the stream down).</li>
 *   <li>{@link Mode#LATENCY} — a delay line: every chunk is written on a fixed time after it was read, in order, while
 *       reading goes on, so the stream arrives late but as fast as without it (network latency, not a slow link).</li>
 *   <li>{@link Mode#DROP} — close new connections right after accepting them; existing ones keep working.</li>
 *   <li>{@link Mode#BLACKHOLE} — accept connections and swallow everything, never answer; connections that were open
 *       when the blackhole began stay dead after it ends (as after a real network partition), new ones work again.</li>
 *   <li>{@link Mode#RESET} — reset (TCP RST) every open connection at once, and reset new ones right after accept.</li>
 * </ul>
 *
 * Usage: {@code try (FaultProxy p = FaultProxy.start(upstream)) { ... p.blackhole(); ... p.pass(); }}.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does with traffic. */
    public enum Mode { PASS, DELAY, LATENCY, DROP, BLACKHOLE, RESET }

    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    private static final int BUFFER = 16 * 1024;
    /** Chunks a delay line holds per direction (at most 16 MB): enough for any latency at loopback rates. */
    private static final int LINE_CHUNKS = 1024;

    private final InetSocketAddress upstream;
    private final ServerSocket server;
    private final ExecutorService threads;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong bytesForwarded = new AtomicLong();
    private final AtomicLong bytesSwallowed = new AtomicLong();
    private final AtomicLong bytesDelayed = new AtomicLong();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMillis;
    private volatile long latencyNanos;
    private volatile boolean closed;

    private FaultProxy(InetSocketAddress upstream, ServerSocket server) {
        this.upstream = upstream;
        this.server = server;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy-" + server.getLocalPort() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts a proxy on 127.0.0.1 (free port) in {@link Mode#PASS} forwarding to {@code upstream}. */
    public static FaultProxy start(InetSocketAddress upstream) throws IOException {
        Objects.requireNonNull(upstream, "upstream");
        ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        FaultProxy proxy = new FaultProxy(upstream, server);
        proxy.threads.execute(proxy::acceptLoop);
        LOG.info("fault proxy 127.0.0.1:{} -> {}", server.getLocalPort(), upstream);
        return proxy;
    }

    /** Starts a proxy forwarding to 127.0.0.1:{@code upstreamPort}. */
    public static FaultProxy start(int upstreamPort) throws IOException {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
    }

    public int port() {
        return server.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    public InetSocketAddress upstream() {
        return upstream;
    }

    public Mode mode() {
        return mode;
    }

    /** Forwards traffic unchanged. */
    public void pass() {
        setMode(Mode.PASS);
    }

    /** Forwards traffic, holding each chunk {@code delay} before writing it on. */
    public void delay(Duration delay) {
        if (delay.isNegative()) throw new IllegalArgumentException("delay must not be negative");
        delayMillis = delay.toMillis();
        setMode(Mode.DELAY);
    }

    /**
     * Adds {@code latency} to each direction of every connection (a request and its answer take twice as long) without
     * reducing throughput: each chunk is written on {@code latency} after it was read, in order, while reading goes on.
     */
    public void latency(Duration latency) {
        if (latency.isNegative()) throw new IllegalArgumentException("latency must not be negative");
        latencyNanos = latency.toNanos();
        setMode(Mode.LATENCY);
    }

    /** Closes new connections right after accepting them. */
    public void drop() {
        setMode(Mode.DROP);
    }

    /** Swallows all traffic on every connection, open or new, and never answers. */
    public void blackhole() {
        setMode(Mode.BLACKHOLE);
        for (Link link : links) {
            link.blackholed = true;
        }
    }

    /** Resets every open connection and every new one. */
    public void reset() {
        setMode(Mode.RESET);
        for (Link link : links) {
            link.abort();
        }
    }

    /**
     * Applies a mode by name: {@code pass}, {@code delay:<ms>}, {@code latency:<ms>}, {@code drop}, {@code blackhole},
     * {@code reset}.
     */
    public void apply(String spec) {
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.startsWith("delay:")) {
            delay(Duration.ofMillis(Long.parseLong(s.substring(6))));
            return;
        }
        if (s.startsWith("latency:")) {
            latency(Duration.ofMillis(Long.parseLong(s.substring(8))));
            return;
        }
        switch (s) {
            case "pass" -> pass();
            case "drop" -> drop();
            case "blackhole" -> blackhole();
            case "reset" -> reset();
            default -> throw new IllegalArgumentException(
                    "expected pass, delay:<ms>, latency:<ms>, drop, blackhole or reset, got '" + spec + "'");
        }
    }

    private void setMode(Mode newMode) {
        Mode old = mode;
        mode = newMode;
        if (old != newMode) LOG.info("fault proxy :{} {} -> {}", port(), old, newMode);
    }

    public long connectionsAccepted() {
        return accepted.get();
    }

    /** Connections closed or reset on accept (drop and reset modes). */
    public long connectionsRefused() {
        return refused.get();
    }

    public int openConnections() {
        return links.size();
    }

    public long bytesForwarded() {
        return bytesForwarded.get();
    }

    public long bytesSwallowed() {
        return bytesSwallowed.get();
    }

    /** Bytes read and waiting in delay lines ({@link Mode#LATENCY}) to be written on. */
    public long bytesDelayed() {
        return bytesDelayed.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) LOG.warn("fault proxy accept failed: {}", e.toString());
                continue;
            }
            accepted.incrementAndGet();
            Mode now = mode;
            try {
                switch (now) {
                    case DROP -> {
                        refused.incrementAndGet();
                        client.close();
                    }
                    case RESET -> {
                        refused.incrementAndGet();
                        client.setSoLinger(true, 0);
                        client.close();
                    }
                    case BLACKHOLE -> {
                        Link link = new Link(client, null);
                        link.blackholed = true;
                        links.add(link);
                        threads.execute(() -> swallow(link));
                    }
                    default -> threads.execute(() -> connect(client));
                }
            } catch (IOException e) {
                closeQuietly(client);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                closeQuietly(client);
            }
        }
    }

    private void connect(Socket client) {
        Socket up = new Socket();
        try {
            up.connect(upstream, 5_000);
            up.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
        } catch (IOException e) {
            LOG.debug("fault proxy: upstream {} unreachable: {}", upstream, e.toString());
            closeQuietly(up);
            closeQuietly(client);
            return;
        }
        Link link = new Link(client, up);
        links.add(link);
        if (mode == Mode.BLACKHOLE) link.blackholed = true;
        threads.execute(() -> pump(link, client, up));
        threads.execute(() -> pump(link, up, client));
    }

    /** Reads a blackholed connection that has no upstream until the client gives up. */
    private void swallow(Link link) {
        byte[] buf = new byte[BUFFER];
        try (InputStream in = link.client.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                bytesSwallowed.addAndGet(n);
            }
        } catch (IOException ignored) {
            // the client went away
        } finally {
            link.close();
            links.remove(link);
        }
    }

    private void pump(Link link, Socket from, Socket to) {
        byte[] buf = new byte[BUFFER];
        DelayLine line = null;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (link.blackholed) {
                    bytesSwallowed.addAndGet(n);
                    continue;
                }
                if (mode == Mode.DELAY && delayMillis > 0) {
                    Thread.sleep(delayMillis);
                    if (link.blackholed) {
                        bytesSwallowed.addAndGet(n);
                        continue;
                    }
                }
                if (line == null && mode == Mode.LATENCY) {
                    // from now on this direction goes through the line (also after the mode changes), so order holds
                    line = new DelayLine(link, out);
                    threads.execute(line);
                }
                if (line != null) {
                    line.add(Arrays.copyOf(buf, n), System.nanoTime() + (mode == Mode.LATENCY ? latencyNanos : 0));
                    continue;
                }
                bytesForwarded.addAndGet(n);
                out.write(buf, 0, n);
                out.flush();
            }
            if (line != null) line.finish();
            // orderly end of one direction: pass the half-close on, unless the link is dead
            if (!link.blackholed) {
                try {
                    to.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            }
            if (link.halfClosed.incrementAndGet() < 2 && !link.blackholed) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SocketException ignored) {
            // reset or closed by the other pump
        } catch (IOException e) {
            LOG.debug("fault proxy pump: {}", e.toString());
        }
        if (line != null) line.abandon(); // a broken connection: its writer must not wait for chunks forever
        if (link.blackholed) {
            if (from == link.client) {
                // the client gave up (or was reset): only now does its socket close
                swallowRest(from);
                link.close();
                links.remove(link);
            } else {
                // upstream went away: the client must not notice; its pump keeps swallowing until it gives up
                closeQuietly(link.upstream);
            }
            return;
        }
        link.close();
        links.remove(link);
    }

    private void swallowRest(Socket s) {
        byte[] buf = new byte[BUFFER];
        try {
            InputStream in = s.getInputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                bytesSwallowed.addAndGet(n);
            }
        } catch (IOException ignored) {
            // gone
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Link link : links) {
            link.close();
        }
        links.clear();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing to do
        }
    }

    /**
     * One direction's delay line: the pump adds each chunk with the time it is due, this writes them on in order when
     * they are due. The pump never waits for a chunk to be written, only for room in the line.
     */
    private final class DelayLine implements Runnable {
        private record Chunk(byte[] bytes, long dueNanos) {
        }

        private static final Chunk END = new Chunk(new byte[0], 0);

        private final Link link;
        private final OutputStream out;
        private final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>(LINE_CHUNKS);
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile IOException failure;

        DelayLine(Link link, OutputStream out) {
            this.link = link;
            this.out = out;
        }

        void add(byte[] bytes, long dueNanos) throws IOException, InterruptedException {
            bytesDelayed.addAndGet(bytes.length);
            try {
                offer(new Chunk(bytes, dueNanos));
            } catch (IOException | InterruptedException e) {
                bytesDelayed.addAndGet(-bytes.length);
                throw e;
            }
        }

        /** Waits until every chunk added is written (or the line failed). */
        void finish() throws IOException, InterruptedException {
            offer(END);
            done.await();
            if (failure != null) throw failure;
        }

        /** Drops what is still waiting and ends the writer (nothing more is added). */
        void abandon() {
            List<Chunk> left = new ArrayList<>();
            queue.drainTo(left);
            for (Chunk c : left) bytesDelayed.addAndGet(-c.bytes().length);
            queue.offer(END);
        }

        private void offer(Chunk chunk) throws IOException, InterruptedException {
            while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                if (done.getCount() == 0) throw failure != null ? failure : new SocketException("delay line closed");
            }
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Chunk c = queue.take();
                    if (c == END) return;
                    long wait = c.dueNanos() - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                    if (link.blackholed) {
                        bytesDelayed.addAndGet(-c.bytes().length);
                        bytesSwallowed.addAndGet(c.bytes().length);
                        continue;
                    }
                    out.write(c.bytes());
                    out.flush();
                    bytesDelayed.addAndGet(-c.bytes().length);
                    bytesForwarded.addAndGet(c.bytes().length);
                }
            } catch (IOException e) {
                failure = e;
                link.close(); // the pump's read fails and ends the link as for any broken connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                done.countDown();
            }
        }
    }

    /** One client connection and its upstream connection (none when accepted in blackhole mode). */
    private static final class Link {
        final Socket client;
        final Socket upstream;
        final AtomicInteger halfClosed = new AtomicInteger();
        volatile boolean blackholed;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void abort() {
            for (Socket s : new Socket[] {client, upstream}) {
                if (s == null) continue;
                try {
                    s.setSoLinger(true, 0);
                } catch (IOException ignored) {
                    // closed already
                }
                closeQuietly(s);
            }
        }

        void close() {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }
}
