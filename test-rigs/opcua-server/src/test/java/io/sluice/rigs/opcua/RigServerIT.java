package io.sluice.rigs.opcua;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RigServerIT {

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void staticValuesAdvanceOnRequestAndSurviveAStopStart(@TempDir Path dir) throws Exception {
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir).withScalarsPerType(2).withLoadNodes(3))) {
            assertTrue(listening(rig.port()));
            assertEquals("opc.tcp://127.0.0.1:" + rig.port() + "/rig", rig.endpointUrl());
            int expectedNodes = RigValues.ScalarType.values().length * 2 + RigValues.ARRAY_TYPES.length + 1 + 2 + 3;
            assertEquals(expectedNodes, rig.nodePaths().size());
            assertEquals(1.0, rig.value("Rig/Dynamic/Ramp").value().value());
            rig.advance(4);
            assertEquals(5L, rig.step("Rig/Dynamic/Ramp"));
            assertEquals(5.0, rig.value("Rig/Dynamic/Ramp").value().value());
            assertEquals(5 * 3 - 1000, rig.value("Rig/Scalars/Int32_1").value().value());
            assertEquals(5.00002, (Double) rig.value("Rig/Load/Node_00002").value().value(), 1e-9);

            var cert = rig.certificate();
            rig.stop();
            assertFalse(rig.isRunning());
            assertFalse(listening(rig.port()));
            assertThrows(IllegalStateException.class, () -> rig.value("Rig/Dynamic/Ramp"));
            rig.start();
            assertTrue(listening(rig.port()));
            assertEquals(5L, rig.step("Rig/Dynamic/Ramp"), "values continue after a restart");
            assertEquals(cert, rig.certificate());
            assertEquals(0, rig.monitoredItemCount());
        }
        try (RigServer again = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir))) {
            assertEquals(RigCertificates.loadOrCreate(dir, "127.0.0.1").certificate, again.certificate(),
                    "the same security folder gives the same certificate");
        }
    }

    @Test
    void aChangeIntervalMovesEveryNodeAndStampsTheSourceTime(@TempDir Path dir) throws Exception {
        try (RigServer rig = RigServer.start(RigServerConfig.defaults().withSecurityDir(dir).withChangeInterval(Duration.ofMillis(10)))) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> rig.step("Rig/Dynamic/Ramp") >= 20);
            assertTrue(rig.step("Rig/Dynamic/Ramp") >= 20);
            var v = rig.value("Rig/Scalars/Double_0");
            java.time.Instant source = v.sourceTime().getJavaInstant(), server = v.serverTime().getJavaInstant();
            assertTrue(java.time.Duration.between(source, java.time.Instant.now()).abs().toSeconds() < 5, "source " + source);
            assertTrue(!server.isBefore(source), "the server stamps a value when it builds it, after its source time");
            assertTrue(rig.changeCount() >= 20L * rig.nodePaths().size() - rig.nodePaths().size());
        }
        assertThrows(IllegalArgumentException.class, () -> RigServerConfig.defaults().withChangeInterval(Duration.ofMillis(5)));
    }
}
