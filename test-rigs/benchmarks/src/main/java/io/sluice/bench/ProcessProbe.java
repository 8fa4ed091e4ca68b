package io.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time and resident set of another process, read from {@code /proc/<pid>} (Linux): utime + stime of
 * {@code stat} (all threads, in clock ticks of 10 ms), VmRSS of {@code status}, and the CPU time per thread name.
 * {@link #self()} probes the benchmark's own process.
 */
public final class ProcessProbe {

    private static final double NANOS_PER_TICK = 1e9 / 100; // USER_HZ is 100 on Linux

    private final long pid;

    public ProcessProbe(long pid) {
        this.pid = pid;
    }

    /** The benchmark's own process. */
    public static ProcessProbe self() {
        return new ProcessProbe(ProcessHandle.current().pid());
    }

    /** utime + stime of the whole process, in nanoseconds (10 ms resolution). */
    public long cpuNanos() throws IOException {
        return ticks(Files.readString(Path.of("/proc", String.valueOf(pid), "stat"))) * (long) NANOS_PER_TICK;
    }

    /** VmRSS in MB. */
    public double rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** Number of threads. */
    public int threads() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            return (int) tasks.count();
        }
    }

    /**
     * CPU nanoseconds per thread name, digits folded ({@code pool-3-thread-7} counts as {@code pool-#-thread-#}),
     * so that the threads of one pool add up.
     */
    public Map<String, Long> cpuByThreadName() throws IOException {
        Map<String, Long> byName = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "#");
                byName.merge(name, ticks(stat) * (long) NANOS_PER_TICK, Long::sum);
            }
        }
        return byName;
    }

    private static long ticks(String stat) {
        // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
