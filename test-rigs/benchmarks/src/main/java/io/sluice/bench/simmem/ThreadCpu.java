package io.sluice.bench.simmem;

import io.sluice.bench.ProcessProbe;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this process's threads by role, from {@code /proc/self/task/<tid>/stat} (Linux, {@link ProcessProbe}): the native poller
 * ({@code sluice-poller}, {@code sluice-poller-2}), the simmem reader and decoder threads, and everything else (JIT, GC, the benchmark).
 */
final class ThreadCpu {

    private ThreadCpu() {}

    /** CPU nanoseconds of this process's threads by role. */
    static Map<String, Long> byRole() throws IOException {
        Map<String, Long> nanos = new TreeMap<>();
        ProcessProbe.self().cpuByThreadName().forEach((name, used) -> nanos.merge(role(name), used, Long::sum));
        return nanos;
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
            long used = after.getOrDefault(role, 0L) - before.getOrDefault(role, 0L);
            if (out.length() > 0) out.append(' ');
            out.append(role).append('=').append(String.format("%.1f", 100.0 * used / wallNanos));
        }
        return out.toString();
    }
}
