package io.sluice.bench.simmem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of this process's threads by role, from {@code /proc/self/task/<tid>/stat} (Linux): the native poller
 * ({@code sluice-poller}, {@code sluice-poller-2}), the simmem reader and decoder threads, and everything else (JIT, GC, the benchmark).
 */
final class ThreadCpu {

    private static final double NANOS_PER_TICK = 1e9 / 100; // USER_HZ is 100 on Linux

    private ThreadCpu() {}

    static Map<String, Long> byRole() throws IOException {
        Map<String, Long> ticks = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue;
                }
                int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                String name = stat.substring(open + 1, close);
                String[] fields = stat.substring(close + 2).split(" ");
                long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                ticks.merge(role(name), used, Long::sum);
            }
        }
        return ticks;
    }

    private static String role(String threadName) {
        if (threadName.startsWith("sluice-poller")) return "poller";
        if (threadName.startsWith("simmem-") && threadName.contains("-re")) return "reader";
        if (threadName.startsWith("simmem-") && threadName.contains("-de")) return "decoder";
        return "rest";
    }

    /** "poller=P reader=R decoder=D rest=X" in percent of one core over {@code wallNanos}. */
    static String percentages(Map<String, Long> before, Map<String, Long> after, long wallNanos) {
        StringBuilder out = new StringBuilder();
        for (String role : new String[] {"poller", "reader", "decoder", "rest"}) {
            long ticks = after.getOrDefault(role, 0L) - before.getOrDefault(role, 0L);
            if (out.length() > 0) out.append(' ');
            out.append(role).append('=').append(String.format("%.1f", 100.0 * ticks * NANOS_PER_TICK / wallNanos));
        }
        return out.toString();
    }
}
