package io.sluice.rigs.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The proxy in front of a real TCP echo server on loopback. */
class FaultProxyIT {

    private ServerSocket echo;
    private ExecutorService echoThreads;
    private FaultProxy proxy;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "echo");
            t.setDaemon(true);
            return t;
        });
        echoThreads.execute(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    echoThreads.execute(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        proxy = FaultProxy.start(echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
        echoThreads.shutdownNow();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(2_000);
        return s;
    }

    private static byte[] roundTrip(Socket s, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(sent);
        s.getOutputStream().flush();
        return s.getInputStream().readNBytes(sent.length);
    }

    @Test
    void passForwardsBothWays() throws IOException {
        try (Socket s = connect()) {
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), roundTrip(s, "hello"));
            assertArrayEquals("again".getBytes(StandardCharsets.UTF_8), roundTrip(s, "again"));
        }
        assertEquals(1, proxy.connectionsAccepted());
        assertTrue(proxy.bytesForwarded() >= 20);
    }

    @Test
    void delayHoldsEachChunk() throws IOException {
        proxy.delay(Duration.ofMillis(300));
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            assertArrayEquals("slow".getBytes(StandardCharsets.UTF_8), roundTrip(s, "slow"));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(millis >= 550, "round trip took only " + millis + " ms; two hops of 300 ms expected");
        }
    }

    @Test
    void dropClosesNewConnectionsButKeepsOpenOnes() throws IOException {
        try (Socket open = connect()) {
            roundTrip(open, "x");
            proxy.drop();
            try (Socket s = connect()) {
                s.getOutputStream().write(1);
                assertEquals(-1, s.getInputStream().read(), "a dropped connection reads end of stream");
            }
            assertArrayEquals("still".getBytes(StandardCharsets.UTF_8), roundTrip(open, "still"));
        }
        assertEquals(1, proxy.connectionsRefused());
    }

    @Test
    void blackholeSwallowsEverythingUntilRestored() throws IOException {
        try (Socket before = connect()) {
            roundTrip(before, "ok");
            proxy.blackhole();
            before.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
            assertThrows(SocketTimeoutException.class, () -> before.getInputStream().read());
            try (Socket during = connect()) {
                during.getOutputStream().write("lost too".getBytes(StandardCharsets.UTF_8));
                assertThrows(SocketTimeoutException.class, () -> during.getInputStream().read());
            }
            proxy.pass();
            try (Socket after = connect()) {
                assertArrayEquals("back".getBytes(StandardCharsets.UTF_8), roundTrip(after, "back"));
            }
            // the connection that lived through the outage stays dead, as after a real partition
            before.getOutputStream().write("x".getBytes(StandardCharsets.UTF_8));
            assertThrows(SocketTimeoutException.class, () -> before.getInputStream().read());
        }
        assertTrue(proxy.bytesSwallowed() >= 12);
    }

    @Test
    void resetAbortsOpenAndNewConnections() throws IOException {
        try (Socket open = connect()) {
            roundTrip(open, "ok");
            proxy.reset();
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 50; i++) {
                    open.getOutputStream().write(new byte[1024]);
                    if (open.getInputStream().read() < 0) throw new IOException("closed");
                }
            });
        }
        try (Socket s = connect()) {
            assertThrows(IOException.class, () -> {
                for (int i = 0; i < 50; i++) {
                    s.getOutputStream().write(new byte[1024]);
                    if (s.getInputStream().read() < 0) throw new IOException("closed");
                }
            });
        }
        proxy.apply("pass");
        try (Socket s = connect()) {
            assertArrayEquals("fine".getBytes(StandardCharsets.UTF_8), roundTrip(s, "fine"));
        }
    }

    @Test
    void applyParsesModes() {
        proxy.apply("delay:25");
        assertEquals(FaultProxy.Mode.DELAY, proxy.mode());
        proxy.apply("latency:20");
        assertEquals(FaultProxy.Mode.LATENCY, proxy.mode());
        proxy.apply("BLACKHOLE");
        assertEquals(FaultProxy.Mode.BLACKHOLE, proxy.mode());
        assertThrows(IllegalArgumentException.class, () -> proxy.apply("flaky"));
    }

    @Test
    @Timeout(30)
    void latencyDelaysEachDirectionWithoutHoldingUpTheStream() throws Exception {
        try (ServerSocket sinkServer = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             FaultProxy line = FaultProxy.start(sinkServer.getLocalPort())) {
            line.latency(Duration.ofMillis(1500));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            List<long[]> arrivals = new CopyOnWriteArrayList<>(); // {total bytes so far, nanoTime}
            Thread sink = new Thread(() -> {
                try (Socket s = sinkServer.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[8192];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        synchronized (received) {
                            received.write(buf, 0, n);
                            arrivals.add(new long[] {received.size(), System.nanoTime()});
                        }
                    }
                } catch (IOException ignored) {
                    // the test ended
                }
            }, "sink");
            sink.setDaemon(true);
            sink.start();

            byte[][] chunks = {pattern(100, 1), pattern(2_000, 2), pattern(40_000, 3)};
            long[] sentAt = new long[chunks.length];
            long[] sentUpTo = new long[chunks.length];
            long total = 0;
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), line.port())) {
                for (int i = 0; i < chunks.length; i++) {
                    sentAt[i] = System.nanoTime();
                    s.getOutputStream().write(chunks[i]);
                    s.getOutputStream().flush();
                    total += chunks[i].length;
                    sentUpTo[i] = total;
                    long expected = total;
                    awaitTrue("chunk " + i + " read by the proxy", () -> line.bytesDelayed() + line.bytesForwarded() >= expected);
                }
                // a delay line holds every chunk at once (a proxy that sleeps per chunk would hold one)
                synchronized (received) {
                    assertEquals(0, received.size(), "nothing is written on before the latency has passed");
                }
                assertEquals(total, line.bytesDelayed());
                long all = total;
                awaitTrue("every byte at the sink", () -> {
                    synchronized (received) {
                        return received.size() == all;
                    }
                });
            }
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            for (byte[] c : chunks) sent.write(c);
            assertArrayEquals(sent.toByteArray(), received.toByteArray(), "bytes intact and in order");
            for (int i = 0; i < chunks.length; i++) {
                long firstByte = (i == 0 ? 0 : sentUpTo[i - 1]) + 1;
                long at = arrivals.stream().filter(a -> a[0] >= firstByte).findFirst().orElseThrow()[1];
                long millis = (at - sentAt[i]) / 1_000_000;
                assertTrue(millis >= 1500, "chunk " + i + " arrived after " + millis + " ms, before the latency");
            }
            assertEquals(0, line.bytesDelayed());
        }
    }

    @Test
    @Timeout(30)
    void latencyAddsToBothDirections() throws IOException {
        proxy.apply("latency:200");
        assertEquals(FaultProxy.Mode.LATENCY, proxy.mode());
        try (Socket s = connect()) {
            for (String text : List.of("first", "second")) {
                long t0 = System.nanoTime();
                assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), roundTrip(s, text));
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(millis >= 400, "round trip took only " + millis + " ms; 200 ms each way expected");
            }
            proxy.pass(); // chunks of a connection that used the line still go through it, in order
            assertArrayEquals("after".getBytes(StandardCharsets.UTF_8), roundTrip(s, "after"));
        }
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (i * 31 + seed);
        return b;
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }
}
