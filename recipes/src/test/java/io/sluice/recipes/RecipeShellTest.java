package io.sluice.recipes;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Linux {@code Lifecycle.Startup} script of the built recipe the way the nucleus does, {@code sh -c
 * <script>} with the recipe variables filled in, against a fake {@code java} on the {@code PATH} that records its
 * process id and argv: every argument arrives intact (no quote-sensitive option), the shell is replaced by java
 * ({@code exec}: the same pid), java's exit code is the component's, and SIGTERM reaches java, which stops cleanly.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
@Timeout(60)
class RecipeShellTest {

    @TempDir
    Path dir;

    private Path artifacts;
    private Path work;
    private Path record;
    private Path bin;

    @BeforeEach
    void layout() throws IOException {
        // spaces in the paths: the script's quoting must keep each path one argument
        artifacts = Files.createDirectories(dir.resolve("artifacts dir/io.sluice.Gateway/1.0.0"));
        work = Files.createDirectories(dir.resolve("work dir/io.sluice.Gateway"));
        bin = Files.createDirectories(dir.resolve("bin"));
        record = dir.resolve("argv.txt");
    }

    private Map<String, Object> linuxManifest() throws IOException {
        Map<String, Object> recipe = RecipeTest.load(RecipeTest.recipes().stream()
                .filter(p -> p.getFileName().toString().equals("recipe.yaml")).findFirst().orElseThrow());
        for (Map<String, Object> manifest : RecipeTest.list(recipe, "Manifests")) {
            if ("linux".equals(RecipeTest.map(manifest, "Platform").get("os"))) {
                return manifest;
            }
        }
        throw new AssertionError("no linux manifest");
    }

    private String jvmOptions() throws IOException {
        Map<String, Object> recipe = RecipeTest.load(RecipeTest.recipes().get(0));
        return RecipeTest.text(RecipeTest.map(recipe, "ComponentConfiguration", "DefaultConfiguration"), "jvmOptions");
    }

    /** The script with the recipe variables replaced, as the nucleus hands it to {@code sh -c}. */
    private String script() throws IOException {
        String script = RecipeTest.runScript(linuxManifest());
        return script.replace("{configuration:/jvmOptions}", jvmOptions())
                .replace("{artifacts:path}", artifacts.toString())
                .replace("{work:path}", work.toString());
    }

    private void fakeJava(String body) throws IOException {
        fakeJava("", body);
    }

    /** A fake java: runs {@code prelude}, records "pid <$$>" and one argument per line, then runs {@code body}. */
    private void fakeJava(String prelude, String body) throws IOException {
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\n" + prelude + "\n"
                + "echo \"pid $$\" > '" + record + ".tmp'\n"
                + "printf '%s\\n' \"$@\" >> '" + record + ".tmp'\n"
                + "mv '" + record + ".tmp' '" + record + "'\n"
                + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Process shell() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("out.txt").toFile());
        return pb.start();
    }

    private List<String> recorded(Duration timeout) throws Exception {
        await().atMost(timeout).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            if (!Files.exists(record)) {
                Path out = dir.resolve("out.txt");
                throw new AssertionError("the fake java did not run; shell output:\n"
                        + (Files.exists(out) ? Files.readString(out) : "(none yet)"));
            }
        });
        return Files.readAllLines(record);
    }

    @Test
    void everyArgumentArrivesIntactAndJavaReplacesTheShell() throws Exception {
        fakeJava("exit 0");
        Process sh = shell();
        assertTrue(sh.waitFor(30, TimeUnit.SECONDS));
        List<String> lines = recorded(Duration.ofSeconds(5));

        assertEquals("pid " + sh.pid(), lines.get(0), "exec: java runs as the shell's own process");
        List<String> expected = new ArrayList<>(Arrays.asList(jvmOptions().trim().split("\\s+")));
        expected.addAll(List.of("-jar", artifacts.resolve("sluice.jar").toString(), "run", "--greengrass",
                "--data", work.resolve("data").toString()));
        assertEquals(expected, lines.subList(1, lines.size()), "java's argv after `sh -c`");
        assertEquals(0, sh.exitValue());
    }

    @Test
    void javasExitCodeIsTheComponentsExitCode() throws Exception {
        fakeJava("exit 2"); // Sluice's exit code for an invalid configuration
        Process sh = shell();
        assertTrue(sh.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, sh.exitValue(), "the nucleus must see exit code 2");
    }

    @Test
    void sigtermReachesJavaWhichStopsCleanly() throws Exception {
        Path stopped = dir.resolve("stopped");
        fakeJava("trap 'echo stopping > \"" + stopped + "\"; exit 0' TERM", "while :; do sleep 0.05; done");
        Process sh = shell();
        recorded(Duration.ofSeconds(10)); // started, trap installed
        sh.destroy(); // SIGTERM to the process the nucleus started, as on stop or removal
        assertTrue(sh.waitFor(30, TimeUnit.SECONDS), "stopped after SIGTERM");
        assertEquals(0, sh.exitValue(), "a clean stop exits 0 (without exec the shell dies with 143)");
        assertTrue(Files.exists(stopped), "java itself got SIGTERM and ran its shutdown");
    }
}
