package io.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.rigs.pki.PemKeyStores;
import io.sluice.rigs.pki.TestPki;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a client certificate (auth: mutual-tls): a client without one, or with a foreign one, is refused. */
@Timeout(120)
class AdminTlsIT {

    @TempDir
    Path dir;

    @Test
    void mutualTlsAcceptsOnlyClientsWithACertificateFromTheTrustedCa() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"), "admin-ca");
        TestPki.PemIdentity server = pki.issueServer("gateway");
        Path keyStore = dir.resolve("admin.p12");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("admin", PemKeyStores.readPrivateKey(server.privateKey()), "secret".toCharArray(),
                PemKeyStores.readCertificates(server.certificate()).toArray(new Certificate[0]));
        store(keys, keyStore);
        Path trustStore = dir.resolve("clients.p12");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.caCertificate());
        store(trust, trustStore);

        GatewayConfig config = ConfigLoader.parse("""
                streams:
                  telemetry: {}
                admin:
                  listen: 127.0.0.1:0
                  auth: mutual-tls
                  tls:
                    key-store: "%s"
                    key-store-password: secret
                    client-trust-store: "%s"
                    client-trust-store-password: secret
                """.formatted(keyStore, trustStore), "test.yaml");
        try (RunningGateway running = RunningGateway.start(config, dir.resolve("data"))) {
            AdminServer admin = running.admin().orElseThrow();
            assertTrue(admin.url().startsWith("https://127.0.0.1:"), admin.url());
            assertEquals("mutual-tls", AdminAddress.read(dir.resolve("data")).orElseThrow().auth());

            SSLContext operator = PemKeyStores.tls12(pki.caCertificateFile(), pki.issueClient("operator"));
            assertEquals(200, get(operator, admin.url() + "/api/v1/status").statusCode());

            SSLContext anonymous = PemKeyStores.tls12(pki.caCertificateFile(), null);
            assertThrows(IOException.class, () -> get(anonymous, admin.url() + "/api/v1/status"));

            TestPki other = TestPki.create(dir.resolve("other"), "someone-else");
            SSLContext stranger = PemKeyStores.tls12(pki.caCertificateFile(), other.issueClient("stranger"));
            assertThrows(IOException.class, () -> get(stranger, admin.url() + "/api/v1/status"));
        }
    }

    private static HttpResponse<String> get(SSLContext tls, String url) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void store(KeyStore ks, Path file) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, "secret".toCharArray());
        }
    }
}
