package io.sluice.gateway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.runtime.operations.OfflineDataDirectory;
import io.sluice.runtime.operations.OperationResult;
import io.sluice.runtime.operations.StreamOperations;
import java.io.Console;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * A stream or destination operation: on a running gateway through its admin endpoint, on a stopped one by opening its
 * data directory (under its lock). Prints the operation's one-line result; exit 0 done, 1 failed (or a destination
 * test found a problem), 2 usage (a purge or replay without {@code --yes} and no terminal to ask on).
 */
abstract class OperatorCommand implements Callable<Integer> {

    @Option(names = {"-d", "--data"}, defaultValue = "./data", description = "Data directory (default ${DEFAULT-VALUE}).")
    Path data;

    /** The admin path of the operation on a running gateway. */
    abstract String adminPath();

    /** The JSON body of the admin call (the actor is added). */
    Map<String, Object> adminBody() {
        return new java.util.LinkedHashMap<>();
    }

    /** The operation on a stopped gateway's data directory. */
    abstract OperationResult offline(StreamOperations operations);

    /** The configuration for an offline operation (null when it needs none). */
    Path configFile() {
        return null;
    }

    /** A question to confirm on a terminal (or {@code --yes}), or null when the operation needs none. */
    String confirmation() {
        return null;
    }

    boolean yes() {
        return false;
    }

    @Override
    public Integer call() {
        String question = confirmation();
        if (question != null && !yes()) {
            Console console = System.console();
            if (console == null) {
                System.err.println(commandName() + ": " + question.replace("?", "")
                        + " needs --yes when there is no terminal to ask on");
                return ExitCodes.CONFIG;
            }
            String answer = console.readLine("%s [y/N] ", question);
            if (answer == null || !(answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
                System.err.println(commandName() + ": not done");
                return ExitCodes.FAILED;
            }
        }
        OperationResult result;
        if (GatewayControl.running(data)) {
            Map<String, Object> body = adminBody();
            body.put("actor", GatewayControl.actor());
            result = new ObjectMapper().convertValue(GatewayControl.post(data, adminPath(), body), OperationResult.class);
        } else {
            GatewayConfig config = configFile() == null ? null : ConfigLoader.load(configFile());
            try (OfflineDataDirectory directory = OfflineDataDirectory.open(data, config)) {
                result = offline(directory.operations());
            }
        }
        (result.ok() ? System.out : System.err).println(result.message());
        return result.ok() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private String commandName() {
        picocli.CommandLine.Command c = getClass().getAnnotation(picocli.CommandLine.Command.class);
        return "sluice " + (c == null ? "" : c.name());
    }

    static String actor() {
        return GatewayControl.actor() + " (stopped data directory)";
    }

    static String path(String... segments) {
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            sb.append('/').append(java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }
}
