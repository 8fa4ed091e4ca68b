package io.sluice.gateway.cli;

import io.sluice.gateway.greengrass.GreengrassMode;
import java.nio.file.Path;
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
     * component's shutdown hook has stopped it cleanly (the JVM's default would be 143 or 130).
     */
    static int run(Path data) {
        StopSignals signals = StopSignals.install();
        Thread stopper = new Thread(() -> {
            try {
                String signal = signals.await();
                log.info("shutdown requested ({})", signal);
                System.exit(ExitCodes.OK); // runs the shutdown hooks: the component closes, then the JVM exits 0
            } catch (InterruptedException e) {
                // the component ended on its own
            }
        }, "sluice-stop-signal");
        stopper.setDaemon(true);
        stopper.start();
        try {
            return GreengrassMode.run(data, System.getenv());
        } finally {
            stopper.interrupt();
            signals.close();
        }
    }
}
