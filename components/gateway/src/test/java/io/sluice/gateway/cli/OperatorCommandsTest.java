package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.spi.Durations;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The operator commands' paths without a network: a stopped data directory, a running gateway without an admin endpoint. */
@Timeout(60)
class OperatorCommandsTest {

    @TempDir
    Path dir;

    private GatewayConfig config() {
        return ConfigLoader.parse("""
                admin: {listen: "off"}
                streams:
                  s: {export: [{destination: out}]}
                destinations:
                  out: {type: file, directory: "%s", enabled: false}
                """.formatted(dir.resolve("out").toString().replace("\\", "/")), "gw.yaml");
    }

    private Gateway startWith(int samples) {
        Gateway g = Gateway.start(config(), dir.resolve("data"));
        List<Sample> list = new ArrayList<>();
        for (int i = 0; i < samples; i++) list.add(Sample.good("t", Value.of((long) i), System.currentTimeMillis() * 1_000_000L + i));
        Durations.await(g.store().append("s", "c", list, null), Duration.ofSeconds(10));
        return g;
    }

    @Test
    void onAStoppedDataDirectoryTheCommandsOpenItThemselves() {
        startWith(25).close();
        String data = dir.resolve("data").toString();
        InProcessCli.Result noYes = InProcessCli.run("streams", "purge", "s", "--data", data);
        assertEquals(2, noYes.exit());
        noYes.assertOneLine("sluice purge: Delete every stored sample of stream s in", "needs --yes when there is no terminal to ask on");

        InProcessCli.Result replay = InProcessCli.run("streams", "replay", "s", "--destination", "out", "--from", "0", "--yes", "--data", data);
        assertEquals(0, replay.exit(), replay.err());
        assertTrue(replay.out().contains("is already at sequence 0; nothing to replay"), replay.out());

        InProcessCli.Result pause = InProcessCli.run("destinations", "pause", "out", "--data", data);
        assertEquals(0, pause.exit(), pause.err());
        assertTrue(Files.exists(dir.resolve("data/state/destinations/out/paused")));

        InProcessCli.Result purge = InProcessCli.run("streams", "purge", "s", "--yes", "--data", data);
        assertEquals(0, purge.exit(), purge.err());
        assertTrue(purge.out().startsWith("stream s: purged 25 samples (sequences 0 to 24"), purge.out());

        InProcessCli.Result test = InProcessCli.run("destinations", "test", "out", "--data", data);
        assertEquals(1, test.exit());
        assertTrue(test.err().contains("testing one of its destinations needs --config"), test.err());

        InProcessCli.Result reload = InProcessCli.run("reload", "--data", data);
        assertEquals(1, reload.exit());
        reload.assertOneLine("no gateway runs on");
    }

    @Test
    void aRunningGatewayWithoutAnAdminEndpointIsNotOperatedOnBehindItsBack() {
        try (Gateway g = startWith(5)) {
            InProcessCli.Result purge = InProcessCli.run("streams", "purge", "s", "--yes", "--data", dir.resolve("data").toString());
            assertEquals(1, purge.exit());
            purge.assertOneLine("has no admin endpoint", "stop the gateway to operate on its data directory");
            assertEquals(5, g.store().stats("s").storedSamples());
        }
    }
}
