package io.sluice.rigs.opcua;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What the OPC UA simulation server serves and how.
 *
 * @param bindAddress     the address the TCP listener binds to (tests: {@code 127.0.0.1})
 * @param port            the TCP port; 0 picks a free one once and keeps it across stop/start
 * @param scalarsPerType  how many nodes of every built-in scalar type ({@code Rig/Scalars/<Type>_<i>})
 * @param loadNodes       how many Double load nodes ({@code Rig/Load/Node_<i>}), for benchmarks
 * @param changeInterval  how often every node changes; {@link Duration#ZERO} keeps values static (tests advance
 *                        them with {@link RigServer#advance(int)}); at least 10 ms otherwise
 * @param users           user name to password, accepted by the username token policy
 * @param allowAnonymous  whether anonymous sessions are accepted
 * @param securityDir     where the server's key store ({@code rig-server.pfx}) is kept; {@code null} for a fresh
 *                        temporary folder. The same folder gives the same certificate across runs.
 * @param reorderPublishEvery fault injection: every n-th PublishResponse that carries notifications is held back
 *                        and sent after the next one (so the client sees sequence numbers 2, 1, 3, ...); 0 = off
 * @param historyDepth    how many past values each node keeps for HistoryRead (raw); 0 = no history
 */
public record RigServerConfig(String bindAddress, int port, int scalarsPerType, int loadNodes,
                              Duration changeInterval, Map<String, String> users, boolean allowAnonymous,
                              Path securityDir, int reorderPublishEvery, int historyDepth) {

    public static final Duration MIN_CHANGE_INTERVAL = Duration.ofMillis(10);

    public RigServerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(changeInterval, "changeInterval");
        users = Map.copyOf(users);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
        if (scalarsPerType < 0) throw new IllegalArgumentException("scalarsPerType must be >= 0");
        if (historyDepth < 0) throw new IllegalArgumentException("historyDepth must be >= 0");
        if (reorderPublishEvery < 0) throw new IllegalArgumentException("reorderPublishEvery must be >= 0");
        if (loadNodes < 0) throw new IllegalArgumentException("loadNodes must be >= 0");
        if (!changeInterval.isZero() && changeInterval.compareTo(MIN_CHANGE_INTERVAL) < 0) {
            throw new IllegalArgumentException("changeInterval must be 0 (static) or at least 10ms, got " + changeInterval);
        }
    }

    /** Loopback, a free port, one node per scalar type, no load nodes, static values, user {@code operator}. */
    public static RigServerConfig defaults() {
        return new RigServerConfig("127.0.0.1", 0, 1, 0, Duration.ZERO,
                Map.of("operator", "operator-secret"), true, null, 0, 0);
    }

    public RigServerConfig withPort(int newPort) {
        return new RigServerConfig(bindAddress, newPort, scalarsPerType, loadNodes, changeInterval, users, allowAnonymous, securityDir, reorderPublishEvery, historyDepth);
    }

    public RigServerConfig withBindAddress(String address) {
        return new RigServerConfig(address, port, scalarsPerType, loadNodes, changeInterval, users, allowAnonymous, securityDir, reorderPublishEvery, historyDepth);
    }

    public RigServerConfig withScalarsPerType(int n) {
        return new RigServerConfig(bindAddress, port, n, loadNodes, changeInterval, users, allowAnonymous, securityDir, reorderPublishEvery, historyDepth);
    }

    public RigServerConfig withLoadNodes(int n) {
        return new RigServerConfig(bindAddress, port, scalarsPerType, n, changeInterval, users, allowAnonymous, securityDir, reorderPublishEvery, historyDepth);
    }

    public RigServerConfig withChangeInterval(Duration interval) {
        return new RigServerConfig(bindAddress, port, scalarsPerType, loadNodes, interval, users, allowAnonymous, securityDir, reorderPublishEvery, historyDepth);
    }

    public RigServerConfig withUsers(Map<String, String> newUsers) {
        return new RigServerConfig(bindAddress, port, scalarsPerType, loadNodes, changeInterval, newUsers, allowAnonymous, securityDir, reorderPublishEvery, historyDepth);
    }

    public RigServerConfig withAllowAnonymous(boolean allow) {
        return new RigServerConfig(bindAddress, port, scalarsPerType, loadNodes, changeInterval, users, allow, securityDir, reorderPublishEvery, historyDepth);
    }

    public RigServerConfig withSecurityDir(Path dir) {
        return new RigServerConfig(bindAddress, port, scalarsPerType, loadNodes, changeInterval, users, allowAnonymous, dir, reorderPublishEvery, historyDepth);
    }

    public RigServerConfig withReorderPublishEvery(int n) {
        return new RigServerConfig(bindAddress, port, scalarsPerType, loadNodes, changeInterval, users, allowAnonymous, securityDir, n, historyDepth);
    }

    public RigServerConfig withHistoryDepth(int n) {
        return new RigServerConfig(bindAddress, port, scalarsPerType, loadNodes, changeInterval, users, allowAnonymous, securityDir, reorderPublishEvery, n);
    }
}
