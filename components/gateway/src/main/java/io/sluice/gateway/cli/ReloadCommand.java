package io.sluice.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.runtime.DataDirectoryLock;
import io.sluice.spi.SluiceException;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Makes a running standalone gateway read its configuration file again and apply it: only what changed"
                + " restarts; an invalid file is rejected (file:line:key) and the running configuration stays.",
                "Through the admin endpoint (prints the outcome; exit 2 when rejected), else by SIGHUP to the gateway's process"
                        + " (the outcome is in its log and in `sluice status`). `sluice run` also applies edits of the file by itself."})
final class ReloadCommand implements Callable<Integer> {

    @Option(names = {"-d", "--data"}, defaultValue = "./data", description = "Data directory (default ${DEFAULT-VALUE}).")
    Path data;

    @Override
    public Integer call() throws Exception {
        if (!GatewayControl.running(data)) {
            throw new SluiceException("no gateway runs on " + data + " (a stopped gateway reads its configuration when it starts)", false);
        }
        if (GatewayControl.hasAdminEndpoint(data)) {
            JsonNode answer = GatewayControl.post(data, "/api/v1/reload", Map.of("actor", GatewayControl.actor()));
            String outcome = answer.path("outcome").asText();
            String line = "configuration " + outcome.toLowerCase(java.util.Locale.ROOT) + ": " + answer.path("detail").asText();
            if (outcome.equals("REJECTED")) {
                System.err.println(line + " (the running configuration stays)");
                return ExitCodes.CONFIG;
            }
            System.out.println(line);
            return ExitCodes.OK;
        }
        OptionalLong pid = DataDirectoryLock.holderPid(data);
        if (pid.isEmpty() || System.getProperty("os.name", "").startsWith("Windows")) {
            throw new SluiceException("the gateway on " + data + " has no admin endpoint, and no process to signal is known;"
                    + " turn the admin endpoint on", false);
        }
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid.getAsLong())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new SluiceException("could not signal the gateway's process " + pid.getAsLong() + ": "
                    + new String(kill.getInputStream().readAllBytes()).trim(), false);
        }
        System.out.println("sent SIGHUP to the gateway (process " + pid.getAsLong() + "); its log and `sluice status` show the outcome");
        return ExitCodes.OK;
    }
}
