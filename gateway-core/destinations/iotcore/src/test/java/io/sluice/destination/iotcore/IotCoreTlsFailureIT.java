package io.sluice.destination.iotcore;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.mqtt.MosquittoRig;
import io.sluice.rigs.pki.TestPki;
import io.sluice.spi.SluiceException;
import io.sluice.testkit.FakeDestinationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS failures against mosquitto with mutual TLS are named as such in the destination's last error (what the
 * publisher reports and status shows), not as Paho's "Broken pipe" or "Connection reset by peer": the broker refusing
 * the device certificate (foreign CA, expired), a broker certificate from a CA not in {@code ca-certificate}, an
 * expired broker certificate, and a broker certificate for another host name.
 */
@Timeout(120)
class IotCoreTlsFailureIT {

    @TempDir
    Path dir;

    /** Starts the destination and waits until a send fails with the reason of a failed connect; returns that message. */
    private String connectFailure(String endpoint, TestPki.PemIdentity device, Path caCertificate) throws Exception {
        IotCoreDestinationConfig c = IotTestSamples.config(endpoint, device.certificate().toString(),
                device.privateKey().toString(), caCertificate.toString(), IotCoreDestinationConfig.PayloadFormat.JSON,
                "sluice/{connector}");
        try (FakeDestinationContext ctx = new FakeDestinationContext("test", dir);
             IotCoreDestination d = new IotCoreDestination("tls", c)) {
            d.start(ctx);
            var packets = d.pack(IotTestSamples.floats("s", 2, 1, 0)).packets();
            String[] reported = {""};
            await("a connect failure reported with its cause").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                                () -> d.sendAsync(packets).get(10, TimeUnit.SECONDS));
                        SluiceException se = assertInstanceOf(SluiceException.class, e.getCause());
                        assertTrue(se.retryable(), "a TLS failure is the destination's, not the data's: " + se.getMessage());
                        reported[0] = se.getMessage();
                        return reported[0].contains("(");
                    });
            return reported[0];
        }
    }

    private static void assertNamed(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
        }
        assertTrue(!message.contains("Broken pipe") && !message.contains("Connection reset"), message);
    }

    @Test
    void aDeviceCertificateFromAnotherCaIsNamedAsRefusedByTheBroker() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startMutualTls(dir)) {
            TestPki.PemIdentity stranger = TestPki.create(dir.resolve("foreign-ca"), "Foreign CA").issueClient("stranger");
            String message = connectFailure(broker.uri(), stranger, broker.caCertificatePath());
            assertNamed(message, "TLS", "refused the device certificate");
        }
    }

    @Test
    void anExpiredDeviceCertificateIsNamedAsRefusedByTheBroker() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startMutualTls(dir)) {
            TestPki.PemIdentity expired = broker.issueExpiredClientCertificate("expired-device");
            String message = connectFailure(broker.uri(), expired, broker.caCertificatePath());
            assertNamed(message, "TLS", "refused the device certificate");
        }
    }

    @Test
    void aBrokerCertificateFromACaNotInCaCertificateIsNamedAsUnknownCa() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startMutualTls(dir)) {
            TestPki foreign = TestPki.create(dir.resolve("other-ca"), "Other CA");
            String message = connectFailure(broker.uri(), broker.clientIdentity(), foreign.caCertificateFile());
            assertNamed(message, "TLS", "not signed by a CA in ca-certificate");
        }
    }

    @Test
    void anExpiredBrokerCertificateIsNamedAsExpired() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startMutualTls(dir, MosquittoRig.ServerCertificate.EXPIRED)) {
            String message = connectFailure(broker.uri(), broker.clientIdentity(), broker.caCertificatePath());
            assertNamed(message, "TLS", "broker's certificate", "expired");
        }
    }

    @Test
    void aBrokerCertificateForAnotherHostIsNamedAsAHostNameMismatch() throws Exception {
        try (MosquittoRig broker = MosquittoRig.startMutualTls(dir, MosquittoRig.ServerCertificate.OTHER_HOST)) {
            String message = connectFailure(broker.uri(), broker.clientIdentity(), broker.caCertificatePath());
            assertNamed(message, "TLS", "host name", "127.0.0.1");
        }
    }
}
