package io.sluice.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console's pure JavaScript modules (the lap board's model, formatting) under node's own test runner
 * ({@code console-modules.test.mjs}): the modules as the jar serves them, copied with the test into a temporary
 * ES-module package. Needs Node (20 or newer), as the rest of the build's peers do.
 */
class ConsoleModulesTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void consoleModulesPassTheirNodeTests() throws Exception {
        URL lapboard = ConsoleModulesTest.class.getResource("/io/sluice/console/js/lapboard.js");
        assertTrue(lapboard != null && lapboard.getProtocol().equals("file"), "console modules on the test class path: " + lapboard);
        Path js = Files.createDirectories(dir.resolve("js"));
        try (Stream<Path> modules = Files.list(Path.of(lapboard.toURI()).getParent())) {
            for (Path m : modules.filter(p -> p.toString().endsWith(".js")).toList()) {
                Files.copy(m, js.resolve(m.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path test = dir.resolve("console-modules.test.mjs");
        try (InputStream in = ConsoleModulesTest.class.getResourceAsStream("console-modules.test.mjs")) {
            Files.copy(in, test);
        }
        Files.writeString(dir.resolve("package.json"), "{\"type\": \"module\", \"private\": true}\n");

        Path output = dir.resolve("node-test.out");
        Process node;
        try {
            node = new ProcessBuilder(List.of("node", "--test", test.getFileName().toString())).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("node is needed for the console's module tests (Node 20 expected): " + e.getMessage(), e);
        }
        if (!node.waitFor(90, TimeUnit.SECONDS)) {
            node.descendants().forEach(ProcessHandle::destroyForcibly);
            node.destroyForcibly();
            throw new AssertionError("node --test did not finish within 90 s:\n" + Files.readString(output));
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, node.exitValue(), out);
        assertTrue(out.contains("# fail 0") && !out.contains("# pass 0"), out);
    }
}
