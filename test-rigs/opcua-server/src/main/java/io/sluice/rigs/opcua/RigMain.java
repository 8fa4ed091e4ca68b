package io.sluice.rigs.opcua;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the OPC UA simulation server on its own until interrupted (Ctrl-C). */
@Command(name = "opcua-rig", mixinStandardHelpOptions = true,
        description = "OPC UA simulation server (Eclipse Milo) for Sluice demos and benchmarks.")
public final class RigMain implements Callable<Integer> {

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Bind address (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "4840", description = "TCP port, 0 for a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--scalars-per-type", defaultValue = "1", description = "Nodes per built-in scalar type (default: ${DEFAULT-VALUE}).")
    int scalarsPerType;

    @Option(names = "--load-nodes", defaultValue = "0", description = "Number of Double load nodes (default: ${DEFAULT-VALUE}).")
    int loadNodes;

    @Option(names = "--change-interval", defaultValue = "1000", description = "Milliseconds between changes, >= 10, 0 = static (default: ${DEFAULT-VALUE}).")
    long changeIntervalMs;

    @Option(names = "--user", description = "name:password of an accepted user; repeatable (default: operator:operator-secret).")
    List<String> users;

    @Option(names = "--no-anonymous", description = "Refuse anonymous sessions.")
    boolean noAnonymous;

    @Option(names = "--reorder-publish-every", defaultValue = "0", description = "Fault injection: hold back every n-th "
            + "PublishResponse with notifications and send it after the next one; 0 = off (default: ${DEFAULT-VALUE}).")
    int reorderPublishEvery;

    @Option(names = "--history-depth", defaultValue = "0", description = "Past values per node kept for HistoryRead "
            + "(raw); 0 = no history (default: ${DEFAULT-VALUE}).")
    int historyDepth;

    @Option(names = "--security-dir", description = "Folder for the server key store (default: a temporary folder).")
    Path securityDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RigMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> userMap = new LinkedHashMap<>();
        if (users == null || users.isEmpty()) {
            userMap.put("operator", "operator-secret");
        } else {
            for (String u : users) {
                int colon = u.indexOf(':');
                if (colon <= 0) throw new CommandLine.ParameterException(new CommandLine(this), "--user expects name:password, got " + u);
                userMap.put(u.substring(0, colon), u.substring(colon + 1));
            }
        }
        RigServerConfig config = new RigServerConfig(bind, port, scalarsPerType, loadNodes,
                Duration.ofMillis(changeIntervalMs), userMap, !noAnonymous, securityDir, reorderPublishEvery, historyDepth);
        RigServer rig = RigServer.start(config);
        System.out.println("OPC UA rig server: " + rig.endpointUrl() + "  namespace " + RigServer.NAMESPACE_URI
                + "  certificate thumbprint " + thumbprint(rig));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            rig.close();
            done.countDown();
        }));
        done.await();
        return 0;
    }

    private static String thumbprint(RigServer rig) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-1").digest(rig.certificate().getEncoded());
        return java.util.HexFormat.of().formatHex(digest);
    }
}
