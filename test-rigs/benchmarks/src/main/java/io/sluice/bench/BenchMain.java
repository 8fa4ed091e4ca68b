package io.sluice.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Entry point of {@code test-rigs/bench}: runs one benchmark by name, or lists them. */
public final class BenchMain {

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, Benchmark> benchmarks = new TreeMap<>();
        for (Benchmark b : ServiceLoader.load(Benchmark.class)) {
            if (benchmarks.put(b.name(), b) != null) {
                throw new IllegalStateException("two benchmarks named " + b.name());
            }
        }
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("usage: test-rigs/bench <benchmark> [options]   (each benchmark takes --help)");
            benchmarks.values().forEach(b -> System.out.printf("  %-18s %s%n", b.name(), b.description()));
            System.exit(args.length == 0 ? 2 : 0);
        }
        Benchmark benchmark = benchmarks.get(args[0]);
        if (benchmark == null) {
            System.err.println("unknown benchmark '" + args[0] + "'; known: " + String.join(", ", benchmarks.keySet()));
            System.exit(2);
        }
        System.exit(benchmark.run(Arrays.copyOfRange(args, 1, args.length)));
    }
}
