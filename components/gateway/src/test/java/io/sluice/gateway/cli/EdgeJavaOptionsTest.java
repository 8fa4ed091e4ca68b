package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The edge JVM options are written out wherever a gateway is started: both launchers of the checkout and of the
 * distributions, the systemd unit, the WinSW service, the Greengrass recipe's default {@code jvmOptions}, and
 * docs/sizing.md. They are the same options everywhere (those of {@code ./sluice}), and this JVM starts with them.
 */
@Timeout(60)
class EdgeJavaOptionsTest {

    private static final Path ROOT = Path.of(System.getProperty("sluice.components.dir", "..")).resolve("..");
    private static final Pattern LAUNCHER = Pattern.compile("^SLUICE_EDGE_JAVA_OPTS=\"([^\"]+)\"$", Pattern.MULTILINE);

    private static List<String> launcherOptions() throws IOException {
        Matcher m = LAUNCHER.matcher(read("sluice"));
        assertTrue(m.find(), "./sluice sets SLUICE_EDGE_JAVA_OPTS");
        return words(m.group(1));
    }

    private static String read(String relative) throws IOException {
        return Files.readString(ROOT.resolve(relative), StandardCharsets.UTF_8);
    }

    private static List<String> words(String s) {
        return Arrays.asList(s.strip().split("\\s+"));
    }

    /** The options in {@code text}: the run of words from the first {@code -Xms} to the last option before {@code stop}. */
    private static List<String> optionsIn(String file, String text) {
        int from = text.indexOf("-Xms");
        assertTrue(from >= 0, file + " names the edge options");
        List<String> found = new ArrayList<>();
        for (String w : words(text.substring(from))) {
            if (!w.startsWith("-X") && !w.startsWith("-D")) break;
            found.add(w.replaceAll("[\"'`,]+$", ""));
        }
        return found;
    }

    @Test
    void everyPlaceThatStartsAGatewayUsesTheLaunchersOptions() throws IOException {
        List<String> expected = launcherOptions();
        for (String file : List.of("sluice.cmd", "components/gateway/src/dist/bin/sluice", "components/gateway/src/dist/bin/sluice.cmd",
                "components/systemd/sluice.service", "components/windows/sluice-service.xml",
                "recipes/src/main/greengrass/recipe.yaml")) {
            String text = read(file);
            for (String line : text.split("\n")) {
                if (line.contains("-Xms") && line.contains("-XX:")) assertEquals(expected, optionsIn(file, line), file);
            }
        }
    }

    @Test
    void theSizingGuideShowsTheLaunchersOptions() throws IOException {
        List<String> expected = launcherOptions();
        int shown = 0;
        for (String line : read("docs/sizing.md").split("\n")) {
            if (line.startsWith("-Xms") || line.startsWith("`\"jvmOptions\": \"-Xms")) {
                assertEquals(expected, optionsIn("docs/sizing.md", line), line);
                shown++;
            }
        }
        assertEquals(2, shown, "docs/sizing.md shows the defaults and the recommended Greengrass jvmOptions");
    }

    @Test
    void aJvmStartsWithThem() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(launcherOptions());
        command.add("-version");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "java " + command + ":\n" + out);
    }
}
