package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import picocli.CommandLine;

/**
 * The service files shipped under components/: the systemd unit (its keys, its command line parsed by the real CLI,
 * and {@code systemd-analyze verify} where that tool exists) and the WinSW service definition (well-formed, its
 * command line parsed by the CLI; it is not run on Windows here).
 */
@Timeout(60)
class ServiceFilesTest {

    private static final Path COMPONENTS = Path.of(System.getProperty("sluice.components.dir", ".."));
    private static final Path UNIT = COMPONENTS.resolve("systemd/sluice.service");
    private static final Path WINSW = COMPONENTS.resolve("windows/sluice-service.xml");

    /** section -> key -> values (a key may repeat). */
    private static Map<String, Map<String, List<String>>> unit() throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        for (String line : Files.readAllLines(UNIT, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) continue;
            if (l.startsWith("[")) {
                current = sections.computeIfAbsent(l.substring(1, l.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            int eq = l.indexOf('=');
            assertTrue(eq > 0 && current != null, "not a key=value line in a section: " + line);
            current.computeIfAbsent(l.substring(0, eq), k -> new ArrayList<>()).add(l.substring(eq + 1));
        }
        return sections;
    }

    private static String one(Map<String, List<String>> section, String key) {
        List<String> values = section.get(key);
        assertTrue(values != null && values.size() == 1, key + " must be set once: " + values);
        return values.get(0);
    }

    @Test
    void systemdUnitHasTheServiceContract() throws IOException {
        Map<String, List<String>> service = unit().get("Service");
        assertEquals("sluice", one(service, "User"), "a dedicated user");
        assertEquals("sluice", one(service, "StateDirectory"), "the data directory is /var/lib/sluice");
        assertEquals("on-failure", one(service, "Restart"));
        assertEquals("2", one(service, "RestartPreventExitStatus"), "an invalid configuration does not restart in a loop");
        assertEquals("SIGTERM", one(service, "KillSignal"), "Sluice's clean stop");
        assertTrue(one(service, "SuccessExitStatus").matches("\\b0\\b.*|.*\\b0\\b"), "exit 0 is a clean stop");
        assertTrue(Integer.parseInt(one(service, "TimeoutStopSec")) >= 10, "room for drain-on-stop");
        for (String hardening : List.of("NoNewPrivileges", "ProtectHome", "PrivateTmp")) {
            assertEquals("yes", one(service, hardening), hardening);
        }
        assertEquals("strict", one(service, "ProtectSystem"));
        assertEquals("/var/lib/sluice", one(service, "ReadWritePaths"));
        assertEquals("multi-user.target", one(unit().get("Install"), "WantedBy"));
    }

    @Test
    void systemdCommandLineIsOneTheCliAccepts() throws IOException {
        String exec = one(unit().get("Service"), "ExecStart");
        List<String> words = new ArrayList<>(Arrays.asList(exec.split("\\s+")));
        assertEquals("/usr/bin/java", words.get(0));
        int jar = words.indexOf("-jar");
        assertTrue(jar > 0, exec);
        List<String> args = words.subList(jar + 2, words.size());
        CommandLine.ParseResult parsed = SluiceCli.newCommandLine().parseArgs(args.toArray(String[]::new));
        CommandLine.ParseResult run = parsed.subcommand();
        assertEquals("run", run.commandSpec().name());
        assertEquals("/etc/sluice/gateway.yaml", run.matchedOptionValue("--config", null).toString());
        assertEquals("/var/lib/sluice", run.matchedOptionValue("--data", null).toString(),
                "the data directory is the StateDirectory");
        assertFalse(exec.contains("--greengrass"));
    }

    @Test
    void systemdAnalyzeVerifiesTheUnit() throws Exception {
        Path tool = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(tool), "systemd-analyze is not installed");
        Process p = new ProcessBuilder(tool.toString(), "verify", UNIT.toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        // verify prints (and still exits 0 for) unknown keys and misplaced settings: none may name the unit file
        assertFalse(out.contains(UNIT.getFileName().toString()), "systemd-analyze verify complains:\n" + out);
    }

    @Test
    void winswServiceIsWellFormedAndItsCommandLineParses() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = factory.newDocumentBuilder().parse(WINSW.toFile());
        assertEquals("service", doc.getDocumentElement().getTagName());
        assertEquals("sluice", text(doc, "id"));
        assertTrue(text(doc, "stoptimeout").matches("\\d+ sec"), "stoptimeout");
        assertEquals(3, doc.getElementsByTagName("onfailure").getLength());
        String arguments = text(doc, "arguments");
        List<String> words = windowsWords(arguments);
        int jar = words.indexOf("-jar");
        assertTrue(jar >= 0, arguments);
        assertEquals("%BASE%\\sluice.jar", words.get(jar + 1));
        CommandLine.ParseResult run = SluiceCli.newCommandLine()
                .parseArgs(words.subList(jar + 2, words.size()).toArray(String[]::new)).subcommand();
        assertEquals("run", run.commandSpec().name());
        assertEquals("C:\\ProgramData\\Sluice\\data", run.matchedOptionValue("--data", null).toString());
    }

    private static String text(Document doc, String tag) {
        assertEquals(1, doc.getElementsByTagName(tag).getLength(), "<" + tag + "> once");
        return doc.getElementsByTagName(tag).item(0).getTextContent().strip();
    }

    /** Splits a Windows command line at spaces outside double quotes (enough for these arguments). */
    private static List<String> windowsWords(String commandLine) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(commandLine);
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return words;
    }
}
