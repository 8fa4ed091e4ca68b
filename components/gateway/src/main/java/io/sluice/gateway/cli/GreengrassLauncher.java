package io.sluice.gateway.cli;

import io.sluice.gateway.greengrass.GreengrassMode;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses Greengrass mode from the nucleus environment and hands over to it. */
final class GreengrassLauncher {

    private static final Logger log = LoggerFactory.getLogger(GreengrassLauncher.class);

    private GreengrassLauncher() {}

    static boolean detected() {
        return GreengrassMode.detected(System.getenv());
    }

    /**
     * Runs the component until the nucleus stops it. SIGTERM or SIGINT ends the JVM with exit code 0 after the
     * component's shutdown hook has stopped it cleanly (the JVM's default would be 143 or 130), or with the start's
     * failure code when the start has already failed.
     */
    static int run(Path data) {
        StopSignals signals = StopSignals.install();
        // 0 for a stop of a started component; the failure's code once the start has failed (the nucleus may send
        // SIGTERM as soon as the component reports ERRORED, while it is exiting with 2 for an invalid configuration)
        AtomicInteger exitOnStop = new AtomicInteger(ExitCodes.OK);
        Thread stopper = new Thread(() -> {
            try {
                String signal = signals.await();
                log.info("shutdown requested ({})", signal);
                System.exit(exitOnStop.get()); // runs the shutdown hooks: the component closes, then the JVM exits
            } catch (InterruptedException e) {
                // the component ended on its own
            }
        }, "sluice-stop-signal");
        stopper.setDaemon(true);
        stopper.start();
        try {
            return GreengrassMode.run(data, System.getenv(), exitOnStop::set);
        } finally {
            stopper.interrupt();
            signals.close();
        }
    }
}
