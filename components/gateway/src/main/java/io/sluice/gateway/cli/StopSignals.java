package io.sluice.gateway.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT (Ctrl-C) as a request to stop cleanly. The JVM's own handling of these signals runs shutdown
 * hooks and exits with 128 + the signal (143, 130), which tells a service manager the process failed; with these
 * handlers, {@code sluice run} closes the gateway itself and exits 0. A second signal while the stop is under way
 * ends the process at once (exit 128 + the signal) for an operator who cannot wait.
 */
public final class StopSignals implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);
    private final CountDownLatch requested = new CountDownLatch(1);
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private volatile String received;

    private StopSignals() {}

    /** Handles TERM and INT from now on (a signal the platform does not know is left alone). */
    public static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal signal = new Signal(name);
                SignalHandler before = Signal.handle(signal, signals::handle);
                signals.previous.put(signal, before);
                warnIfIgnored(signal, before, "stops the gateway only by the signals it does not ignore");
            } catch (IllegalArgumentException e) {
                // this platform has no such signal, or the JVM reserves it (-Xrs)
            }
        }
        return signals;
    }

    private void handle(Signal signal) {
        if (requested.getCount() == 0) {
            System.err.println("second " + signal.getName() + " while stopping: exiting without waiting for the clean stop");
            Runtime.getRuntime().halt(128 + signal.getNumber());
        }
        received = "SIG" + signal.getName();
        requested.countDown();
    }

    /**
     * SIGHUP (where the platform has it) as a request to reload the configuration: {@code reload} runs on a thread of
     * its own, one at a time (a HUP during a reload is one more reload after it). Given back by {@link #close}.
     */
    void onHangup(Runnable reload) {
        java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-sighup-reload");
            t.setDaemon(true);
            return t;
        });
        try {
            Signal hup = new Signal("HUP");
            SignalHandler before = Signal.handle(hup, signal -> worker.execute(reload));
            previous.put(hup, before);
            warnIfIgnored(hup, before, "does not reload on SIGHUP (nor on `sluice reload` without an admin endpoint); "
                    + "the file watcher and the admin endpoint's reload still do");
        } catch (IllegalArgumentException e) {
            // no SIGHUP here (Windows), or the JVM reserves it (-Xrs): `sluice reload` goes through the admin endpoint
        }
    }

    /**
     * A signal the starting process set to be ignored (nohup ignores HUP, a shell's background job INT) stays ignored:
     * the JVM does not install a handler for it, so it would be lost without a word.
     */
    private static void warnIfIgnored(Signal signal, SignalHandler before, String consequence) {
        if (before == SignalHandler.SIG_IGN) {
            LOG.warn("SIG{} is ignored by the process that started sluice, so sluice {}", signal.getName(), consequence);
        }
    }

    /** Whether a stop signal has arrived. */
    public boolean requested() {
        return requested.getCount() == 0;
    }

    /** Blocks until a stop signal arrives; returns its name (SIGTERM, SIGINT). */
    public String await() throws InterruptedException {
        requested.await();
        return received;
    }

    /** Gives the signals back to the JVM. */
    @Override
    public void close() {
        previous.forEach((signal, handler) -> {
            try {
                Signal.handle(signal, handler);
            } catch (IllegalArgumentException e) {
                // left as it is
            }
        });
    }
}
