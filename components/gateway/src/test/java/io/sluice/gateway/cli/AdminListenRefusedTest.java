package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `sluice run` refuses an admin endpoint beyond loopback without authentication before anything starts. */
@Timeout(60)
class AdminListenRefusedTest {

    @TempDir
    Path dir;

    @Test
    void runRefusesANonLoopbackListenWithoutAuthenticationWithExit2() throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                streams:
                  telemetry: {}
                admin:
                  listen: 0.0.0.0:9180
                  auth: none
                """);
        InProcessCli.Result r = InProcessCli.run("run", "--config", config.toString(), "--data", dir.resolve("data").toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        r.assertOneLine(config.toString() + ":5:", "admin.auth", "only allowed when `admin.listen` is a loopback address");
        assertFalse(Files.exists(dir.resolve("data").resolve("streams.db")), "nothing started");
    }
}
