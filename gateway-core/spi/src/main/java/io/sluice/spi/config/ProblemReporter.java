package io.sluice.spi.config;

/**
 * Collects semantic config problems found by a factory's {@code validate}. The runtime turns the key path into
 * file, line and column, so a factory only names the key relative to its own section, e.g.
 * {@code nodes[2].deadband-percent}. Report every problem; do not stop at the first.
 */
public interface ProblemReporter {

    /** Reports that the value at {@code keyPath} (relative to the section being validated) is wrong. */
    void report(String keyPath, String message);
}
