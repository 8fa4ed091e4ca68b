package io.sluice.gateway.cli;

import static io.sluice.gateway.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.gateway.cli.InProcessCli.Result;
import io.sluice.runtime.DataDirectoryLock;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.StatusFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees when something expected goes wrong: one line, the right exit code, no stack trace. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OperatorErrorsTest {

    @TempDir
    Path dir;

    private Path config(String yaml) throws Exception {
        return Files.writeString(dir.resolve("gateway.yaml"), yaml);
    }

    @Test
    void aNonUtf8ConfigNamesFileLineAndByteOffsetAndExits2() throws Exception {
        Path config = dir.resolve("latin1.yaml");
        Files.write(config, "streams:\n  s: {priority: 1}\n# Gr\u00fc\u00dfe\n".getBytes(StandardCharsets.ISO_8859_1));
        Result r = run("run", "--config", config.toString(), "--data", dir.resolve("data").toString());
        assertEquals(2, r.exit());
        r.assertOneLine(config + ":3:5: not UTF-8: byte 0xFC at byte offset 32");
        Result v = run("validate", "--config", config.toString());
        assertEquals(2, v.exit());
        v.assertOneLine(config + ":3:5: not UTF-8");
    }

    @Test
    void aMissingConfigIsOneLineAndExits2() {
        Path config = dir.resolve("nowhere.yaml");
        Result r = run("run", "--config", config.toString());
        assertEquals(2, r.exit());
        r.assertOneLine(config + ": file not found");
    }

    @Test
    void aDataDirectoryInUseIsOneLineAndExits1() throws Exception {
        Path config = config("streams:\n  s: {priority: 1}\n");
        Path data = dir.resolve("data");
        try (DataDirectoryLock held = DataDirectoryLock.acquire(data)) {
            Result r = run("run", "--config", config.toString(), "--data", data.toString());
            assertEquals(1, r.exit());
            r.assertOneLine("sluice run: data directory " + data + " is in use by another running gateway");
        }
    }

    @Test
    void aStoreThatCannotOpenIsOneLineAndDebugAddsTheTrace() throws Exception {
        Path config = config("streams:\n  s: {priority: 1}\n");
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve(Gateway.STORE_FILE)); // a directory where the database file belongs
        Result r = run("run", "--config", config.toString(), "--data", data.toString());
        assertEquals(1, r.exit());
        r.assertOneLine("sluice run: ");
        Result debug = run("--debug", "run", "--config", config.toString(), "--data", data.toString());
        assertEquals(1, debug.exit());
        assertTrue(debug.err().contains("\tat "), "--debug prints the trace: " + debug.err());
        Result after = run("run", "--debug", "--config", config.toString(), "--data", data.toString());
        assertTrue(after.err().contains("\tat "), "--debug after the subcommand too: " + after.err());
    }

    @Test
    void validateReportsAMissingCertificateWithItsKeyAndResolvedPath() throws Exception {
        Path key = Files.writeString(dir.resolve("device.key"), "not checked for content");
        Path config = config("""
                streams:
                  s:
                    export: [{destination: cloud}]
                destinations:
                  cloud:
                    type: iotcore
                    endpoint: ssl://example-ats.iot.eu-central-1.amazonaws.com:8883
                    certificate: %s
                    private-key: %s
                """.formatted(dir.resolve("certs/../device.pem"), key));
        Result r = run("validate", "--config", config.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        r.assertOneLine(config + ":8:18: destinations.cloud.certificate: device certificate not found: " + dir.resolve("device.pem"));

        Files.writeString(dir.resolve("device.pem"), "present");
        Result valid = run("validate", "--config", config.toString());
        assertEquals(0, valid.exit(), valid.err());
    }

    @Test
    void statusOfADirectoryNoGatewayUsedIsOneLineAndExits1() {
        Result r = run("status", "--data", dir.resolve("empty").toString());
        assertEquals(1, r.exit());
        r.assertOneLine("sluice status: no status.json in ");
    }

    private void writeStatus(Path data, String state, long writtenMillis) throws Exception {
        Files.createDirectories(data);
        try (StatusFile status = StatusFile.open(data.resolve(Gateway.STATUS_FILE))) {
            status.write(("{\"state\":\"" + state + "\",\"writtenMillis\":" + writtenMillis + ",\"configSource\":\"g.yaml\","
                    + "\"store\":{\"state\":\"OK\"}}").getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void statusCallsAGatewayThatHoldsItsLockRunningHoweverOldItsStatus() throws Exception {
        Path data = dir.resolve("data");
        writeStatus(data, "running", System.currentTimeMillis() - 3_600_000);
        try (DataDirectoryLock held = DataDirectoryLock.acquire(data)) {
            Result r = run("status", "--data", data.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("gateway running"), r.out());
            assertFalse(r.out().contains("killed"), r.out());
        }
        Result dead = run("status", "--data", data.toString());
        assertTrue(dead.out().contains("gateway not running: killed or crashed"), dead.out());
        writeStatus(data, "running", System.currentTimeMillis());
        Result fresh = run("status", "--data", data.toString());
        assertTrue(fresh.out().contains("gateway not running: killed or crashed"), "a fresh file does not make a dead gateway live: " + fresh.out());
        writeStatus(data, "stopped", System.currentTimeMillis());
        assertTrue(run("status", "--data", data.toString()).out().contains("gateway stopped"));
    }
}
