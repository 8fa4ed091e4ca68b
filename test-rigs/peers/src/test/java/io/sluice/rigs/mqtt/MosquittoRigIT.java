package io.sluice.rigs.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.process.PeerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MosquittoRigIT {

    @TempDir
    Path dir;

    @Test
    void plainBrokerRelaysAndStopsByPid() throws Exception {
        MosquittoRig rig = MosquittoRig.startPlain(dir);
        int port = rig.port();
        try {
            assertTrue(rig.uri().startsWith("tcp://127.0.0.1:"));
            assertRoundTrip(rig, new MqttConnectOptions());
        } finally {
            rig.close();
        }
        assertFalse(ProcessHandle.of(rig.pid()).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(PeerProcess.accepts(port));
    }

    @Test
    void mutualTlsBrokerAcceptsOnlyClientsWithCertificates() throws Exception {
        try (MosquittoRig rig = MosquittoRig.startMutualTls(dir)) {
            MqttConnectOptions withCert = new MqttConnectOptions();
            withCert.setSocketFactory(rig.clientSslContext(rig.issueClientCertificate("subscriber-1")).getSocketFactory());
            assertRoundTrip(rig, withCert);

            MqttConnectOptions noCert = new MqttConnectOptions();
            noCert.setSocketFactory(rig.clientSslContext(null).getSocketFactory());
            noCert.setConnectionTimeout(5);
            MqttClient anonymous = new MqttClient(rig.uri(), "no-cert", new MemoryPersistence());
            try {
                assertThrows(MqttException.class, () -> anonymous.connect(noCert));
            } finally {
                anonymous.close(true);
            }
        }
    }

    private static void assertRoundTrip(MosquittoRig rig, MqttConnectOptions options) throws Exception {
        BlockingQueue<String> received = new ArrayBlockingQueue<>(10);
        MqttClient client = new MqttClient(rig.uri(), "rig-test-" + System.nanoTime(), new MemoryPersistence());
        try {
            options.setConnectionTimeout(5);
            client.connect(options);
            client.subscribe("rig/test", 1, (topic, msg) -> received.add(new String(msg.getPayload(), StandardCharsets.UTF_8)));
            client.publish("rig/test", "hello".getBytes(StandardCharsets.UTF_8), 1, false);
            assertEquals("hello", received.poll(10, TimeUnit.SECONDS));
            client.disconnect(2000);
        } finally {
            client.close(true);
        }
    }
}
