package io.sluice.bench;

/**
 * One benchmark of {@code test-rigs/bench <name>}. Found with ServiceLoader
 * ({@code META-INF/services/io.sluice.bench.Benchmark}). A benchmark starts the peers it needs, stops them, prints
 * progress as it likes and ends with exactly one summary line of {@code key=value} pairs.
 */
public interface Benchmark {

    /** The name on the command line, e.g. {@code export-kinesis}. */
    String name();

    /** One line for the list of benchmarks. */
    String description();

    /** Runs with the remaining command-line arguments; returns the process exit code. */
    int run(String[] args) throws Exception;
}
