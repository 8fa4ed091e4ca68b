package io.sluice.gateway.cli;

import io.sluice.gateway.bench.StoreBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Built-in benchmarks.",
        subcommands = {BenchCommand.Store.class})
final class BenchCommand {

    @Command(name = "store", mixinStandardHelpOptions = true,
            description = "Durable ingest into the stream store vs a naive one-row-per-sample baseline, and drain to a discarding destination.")
    static final class Store implements Callable<Integer> {
        @Option(names = "--seconds", defaultValue = "5", description = "Length of each measurement (default ${DEFAULT-VALUE}).")
        int seconds;

        @Option(names = "--runs", defaultValue = "3", description = "Runs; the median is reported (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--synchronous", defaultValue = "full", description = "SQLite synchronous mode: full or normal (default ${DEFAULT-VALUE}).")
        String synchronous;

        @Option(names = "--commit-window", defaultValue = "5ms", description = "Group-commit window (default ${DEFAULT-VALUE}).")
        String commitWindow;

        @Option(names = "--batch", defaultValue = "1000", description = "Samples per append (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--producers", defaultValue = "2", description = "Producer threads (default ${DEFAULT-VALUE}).")
        int producers;

        @Option(names = "--dir", description = "Folder for the benchmark files (default: a temporary folder).")
        java.nio.file.Path dir;

        @Override
        public Integer call() throws Exception {
            return new StoreBenchmark(seconds, runs, synchronous, commitWindow, batch, producers, dir).run();
        }
    }
}
