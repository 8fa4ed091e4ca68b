package io.sluice.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.sluice.runtime.Plugins;
import io.sluice.spi.config.ExistingFile;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Node;

/** Reading the config file itself, and the files a config names ({@link ExistingFile}). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigFileTest {

    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader(Plugins.discover(), Map.<String, String>of()::get);

    @Test
    void aNonUtf8FileNamesTheLineColumnAndByteOffsetOfTheFirstBadByte() throws Exception {
        Path file = dir.resolve("latin1.yaml");
        // "caf\u00e9" in ISO-8859-1 on line 3: 0xE9 followed by a newline is not UTF-8
        byte[] bytes = "streams:\n  s:\n    # caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, bytes);
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(file));
        assertEquals(1, e.problems().size());
        ConfigProblem p = e.problems().get(0);
        assertEquals(file.toString(), p.file());
        assertEquals(3, p.line());
        assertEquals(10, p.column());
        assertTrue(p.message().contains("byte 0xE9 at byte offset 23"), p.message());
        assertTrue(p.toString().startsWith(file + ":3:10: not UTF-8"), p.toString());
    }

    @Test
    void aMissingFileIsOneProblemNamingTheFile() {
        Path file = dir.resolve("nowhere.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(file));
        assertEquals(List.of(new ConfigProblem(file.toString(), 0, 0, "", "file not found")), e.problems());
    }

    @Test
    void aDirectoryIsNotAConfigFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.loadFile(dir));
        assertTrue(e.problems().get(0).message().contains("is a directory"), e.getMessage());
    }

    @Test
    void aByteOrderMarkIsAccepted() throws Exception {
        Path file = dir.resolve("bom.yaml");
        Files.writeString(file, "\uFEFFstreams:\n  s: {priority: 3}\n", StandardCharsets.UTF_8);
        assertEquals(3, loader.loadFile(file).streams().get("s").priority());
    }

    record Tls(@ExistingFile("certificate") String cert,
               @ExistingFile("private key") Optional<String> key,
               @ExistingFile("CA file") List<String> cas,
               @ExistingFile(value = "layout file", suffixes = {".yaml"}) String layout) {}

    private List<ConfigProblem> check(String yaml, Map<String, String> env) {
        Node root = new Yaml().compose(new StringReader(yaml));
        ConfigBinder binder = new ConfigBinder("tls.yaml", env::get);
        binder.bindRecord(root, Tls.class, "tls", Set.of());
        binder.checkFiles();
        return binder.problems();
    }

    @Test
    void filesThatExistPassAndAnOptionalFileMayBeLeftOut() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        assertEquals(List.of(), check("cert: " + cert + "\ncas: [" + ca + "]\nlayout: acc-physics\n", Map.of()));
    }

    @Test
    void aMissingFileIsReportedWithLineKeyPathAndResolvedPath() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path missingKey = dir.resolve("sub/../key.pem");
        List<ConfigProblem> problems = check("""
                cert: %s
                key: %s
                cas: [%s, %s]
                layout: %s
                """.formatted(cert, missingKey, cert, dir.resolve("ca.pem"), dir.resolve("page.yaml")), Map.of());
        assertEquals(3, problems.size(), problems.toString());
        assertEquals(new ConfigProblem("tls.yaml", 2, 6, "tls.key", "private key not found: " + dir.resolve("key.pem")), problems.get(0));
        assertEquals(new ConfigProblem("tls.yaml", 3, 9 + cert.toString().length(), "tls.cas[1]",
                "CA file not found: " + dir.resolve("ca.pem")), problems.get(1));
        assertEquals("tls.layout", problems.get(2).keyPath());
        assertEquals("layout file not found: " + dir.resolve("page.yaml"), problems.get(2).message());
    }

    @Test
    void aDirectoryOrAnUnreadableFileIsReported() throws Exception {
        Path cert = Files.createDirectory(dir.resolve("cert.pem"));
        List<ConfigProblem> problems = check("cert: " + cert + "\nlayout: x\n", Map.of());
        assertEquals(List.of(new ConfigProblem("tls.yaml", 1, 7, "tls.cert", "certificate is a directory, expected a file: " + cert)), problems);

        Path key = Files.writeString(dir.resolve("key.pem"), "secret");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(key), "root reads any file; an unreadable file needs a non-root user");
        Path readable = Files.writeString(dir.resolve("c.pem"), "x");
        problems = check("cert: " + readable + "\nkey: " + key + "\nlayout: x\n", Map.of());
        assertEquals(List.of(new ConfigProblem("tls.yaml", 2, 6, "tls.key", "private key is not readable (permission denied): " + key)), problems);
    }

    @Test
    void anEnvironmentReferenceIsCheckedAfterSubstitution() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        assertEquals(List.of(), check("cert: ${env:CERT_DIR}/cert.pem\nlayout: x\n", Map.of("CERT_DIR", dir.toString())));
        List<ConfigProblem> problems = check("cert: ${env:CERT_DIR}/other.pem\nlayout: x\n", Map.of("CERT_DIR", dir.toString()));
        assertEquals(List.of(new ConfigProblem("tls.yaml", 1, 7, "tls.cert", "certificate not found: " + dir.resolve("other.pem"))), problems);
        assertTrue(Files.exists(cert));
    }

    @Test
    void theLoaderChecksFilesOnlyWhenAsked() {
        // the file destination names a directory, which need not exist; nothing here is an ExistingFile
        String yaml = "destinations:\n  out: {type: file, directory: " + dir.resolve("later") + "}\n";
        assertEquals(1, loader.checkingFiles().parseText(yaml, "f.yaml").destinations().size());
    }
}
