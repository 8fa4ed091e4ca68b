package io.sluice.connector.opcua;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice opcua cert show|export|csr} and the own certificate in {@code trust list}; no server needed. */
@Timeout(60)
class OpcUaCertCliTest {

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new OpcUaCli().command());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void showGeneratesTheCertificateOnceAndPrintsItsThumbprint(@TempDir Path dir) throws Exception {
        Path pki = dir.resolve("pki");
        Run show = run("cert", "show", "--pki", pki.toString(), "--application-uri", "urn:sluice:gateway:cli");
        assertEquals(0, show.code(), show.err());
        X509Certificate own = new OpcUaPki(pki).ownCertificate().orElseThrow();
        String thumbprint = OpcUaPki.thumbprint(own);
        assertTrue(show.out().contains("thumbprint  " + thumbprint), show.out());
        assertTrue(show.out().contains("urn:sluice:gateway:cli"), show.out());
        assertTrue(show.out().contains(pki.resolve("own").resolve("sluice-client.pfx").toString()), show.out());
        assertEquals(thumbprint, OpcUaPki.thumbprint(new OpcUaPki(pki).ownCertificate().orElseThrow()));

        Run list = run("trust", "list", "--pki", pki.toString());
        assertTrue(list.out().contains("own       " + thumbprint), list.out());
    }

    @Test
    void exportWritesPemToStdoutOrDerToAFile(@TempDir Path dir) throws Exception {
        Path pki = dir.resolve("pki");
        Run pem = run("cert", "export", "--pem", "--pki", pki.toString());
        assertEquals(0, pem.code(), pem.err());
        assertTrue(pem.out().startsWith("-----BEGIN CERTIFICATE-----\n"), pem.out());
        X509Certificate own = new OpcUaPki(pki).ownCertificate().orElseThrow();
        X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.out().getBytes(StandardCharsets.US_ASCII)));
        assertEquals(own, parsed);

        Path der = dir.resolve("gateway.der");
        Run file = run("cert", "export", "--out", der.toString(), "--pki", pki.toString());
        assertEquals(0, file.code(), file.err());
        assertArrayEquals(own.getEncoded(), Files.readAllBytes(der));

        Run binary = run("cert", "export", "--pki", pki.toString());
        assertEquals(2, binary.code(), "DER is binary: not to the terminal");
        assertTrue(binary.err().contains("--pem") && binary.err().contains("--out"), binary.err());
    }

    @Test
    void csrPrintsAPkcs10Request(@TempDir Path dir) {
        Path pki = dir.resolve("pki");
        Run csr = run("cert", "csr", "--pki", pki.toString());
        assertEquals(0, csr.code(), csr.err());
        assertTrue(csr.out().startsWith("-----BEGIN CERTIFICATE REQUEST-----\n"), csr.out());
    }

    @Test
    void theDataDirectoryOptionIsDataWithDataDirKeptAsAnAlias(@TempDir Path dir) throws Exception {
        Run show = run("cert", "show", "--data", dir.toString(), "--connector", "press3");
        assertEquals(0, show.code(), show.err());
        Path pki = dir.resolve("state").resolve("connectors").resolve("press3").resolve("pki");
        assertTrue(Files.exists(pki.resolve("own").resolve("sluice-client.pfx")));
        Run old = run("trust", "list", "--data-dir", dir.toString(), "--connector", "press3");
        assertEquals(0, old.code(), old.err());
        assertTrue(old.out().contains("own  "), old.out());
    }
}
