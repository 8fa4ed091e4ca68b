package io.sluice.destination.sitewise;

import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A gateway in a process of its own for {@link SiteWiseInFlightCrashIT}: args are the config file and the data
 * folder. Prints {@code STARTED} once running, then runs until killed.
 */
public final class SiteWiseCrashChild {

    private SiteWiseCrashChild() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("aws.accessKeyId", "AKIDSTANDIN");
        System.setProperty("aws.secretAccessKey", "secret");
        Path config = Path.of(args[0]);
        Gateway gateway = Gateway.start(ConfigLoader.parse(Files.readString(config), config.toString()), Path.of(args[1]));
        System.out.println("STARTED " + gateway.status().destinations().size());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
