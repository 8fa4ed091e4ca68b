package io.sluice.gateway.cli;

import io.sluice.gateway.greengrass.GreengrassMode;
import java.nio.file.Path;

/** Chooses Greengrass mode from the nucleus environment and hands over to it. */
final class GreengrassLauncher {

    private GreengrassLauncher() {}

    static boolean detected() {
        return GreengrassMode.detected(System.getenv());
    }

    static int run(Path data) {
        return GreengrassMode.run(data, System.getenv());
    }
}
