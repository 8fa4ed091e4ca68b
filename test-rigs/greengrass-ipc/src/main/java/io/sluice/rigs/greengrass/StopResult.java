package io.sluice.rigs.greengrass;

import java.time.Duration;

/**
 * How a component's process ended when the stand-in stopped it as the nucleus does: SIGTERM, then a forced kill when
 * it has not exited within the grace period.
 *
 * @param exitCode the process exit code (0 after a clean stop; 137 after the forced kill)
 * @param took     from SIGTERM to exit
 * @param forced   true when the grace period ran out and the process was killed
 */
public record StopResult(int exitCode, Duration took, boolean forced) {}
