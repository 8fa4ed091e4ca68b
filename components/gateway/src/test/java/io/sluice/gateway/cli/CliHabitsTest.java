package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What every command shares: completion and man pages from the command line itself, one data directory option. */
@Timeout(60)
class CliHabitsTest {

    @TempDir
    Path dir;

    static List<CommandLine> allCommands(CommandLine cli) {
        List<CommandLine> out = new ArrayList<>();
        out.add(cli);
        cli.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) out.addAll(allCommands(sub));
        });
        return out;
    }

    @Test
    void completionAndAManPagePerCommandIncludingTheExtensions() throws Exception {
        CommandLine cli = SluiceCli.newCommandLine();
        CliDocs.write(cli, dir);
        String completion = Files.readString(dir.resolve("sluice_completion"));
        for (String word : List.of("init", "validate", "greengrass", "deployment", "--emit-config", "--connector", "opcua", "sim")) {
            assertTrue(completion.contains(word), word + " completes");
        }
        assertTrue(completion.contains("lorawan opcda opcua simmem simulator") || completion.contains("lorawan\" \"opcda"),
                "connector types complete as values of --connector");
        for (CommandLine c : allCommands(cli)) {
            Path page = dir.resolve("man/man1/" + c.getCommandSpec().qualifiedName("-") + ".1");
            assertTrue(Files.exists(page), page.toString());
        }
        String validate = Files.readString(dir.resolve("man/man1/sluice-validate.1"));
        assertTrue(validate.startsWith(".TH SLUICE\\-VALIDATE 1"), validate);
        assertTrue(validate.contains("\\fB\\-\\-greengrass\\fR \\fIFILE\\fR"), validate);
        assertTrue(validate.contains(".SH SEE ALSO\n\\fBsluice\\fR(1)"), validate);
        assertEquals("\\&.hidden \\e \\-x", CliDocs.roff(".hidden \\ -x"), "roff control characters are escaped");
    }

    @Test
    void theDataDirectoryIsDashDashDataEverywhere() {
        Set<String> names = Set.of("--data", "--data-dir", "--data-directory", "--datadir");
        List<String> seen = new ArrayList<>();
        for (CommandLine c : allCommands(SluiceCli.newCommandLine())) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                if (List.of(o.names()).stream().noneMatch(names::contains)) continue;
                String where = c.getCommandSpec().qualifiedName() + " " + String.join(",", o.names());
                seen.add(where);
                assertTrue(List.of(o.names()).containsAll(List.of("-d", "--data")), where);
                if (o.defaultValue() != null) assertEquals("./data", o.defaultValue(), where);
            }
        }
        assertTrue(seen.size() >= 5, "run, demo, status, streams, opcua: " + seen);
    }

    @Test
    void helpPrintsDurationsAsConfigFilesWriteThem() {
        for (CommandLine c : allCommands(SluiceCli.newCommandLine())) {
            String help = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertFalse(help.matches("(?s).*\\bPT\\d.*"), c.getCommandSpec().qualifiedName() + ": " + help);
        }
    }
}
