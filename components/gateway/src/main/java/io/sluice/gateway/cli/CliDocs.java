package io.sluice.gateway.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Generates, from the command line itself (connector and destination extensions included), the bash/zsh completion
 * script and a man page per command. The build runs it into {@code target/cli/} ({@code sluice_completion},
 * {@code man/man1/sluice-*.1}); {@code main(DIR)} writes them anywhere.
 */
public final class CliDocs {

    private CliDocs() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/cli");
        List<Path> written = write(SluiceCli.newCommandLine(), out);
        System.out.println("wrote " + written.size() + " files to " + out);
    }

    /** Writes the completion script and the man pages; returns the files written. */
    static List<Path> write(CommandLine cli, Path dir) throws IOException {
        List<Path> written = new ArrayList<>();
        Files.createDirectories(dir);
        Path completion = dir.resolve("sluice_completion");
        Files.writeString(completion, AutoComplete.bash("sluice", cli), StandardCharsets.UTF_8);
        written.add(completion);
        Path man = dir.resolve("man").resolve("man1");
        Files.createDirectories(man);
        manPages(cli, man, written);
        return written;
    }

    private static void manPages(CommandLine cli, Path dir, List<Path> written) throws IOException {
        Path page = dir.resolve(pageName(cli.getCommandSpec()) + ".1");
        Files.writeString(page, manPage(cli.getCommandSpec()), StandardCharsets.UTF_8);
        written.add(page);
        for (Map.Entry<String, CommandLine> sub : cli.getSubcommands().entrySet()) {
            if (sub.getKey().equals(sub.getValue().getCommandName())) manPages(sub.getValue(), dir, written);
        }
    }

    /** {@code sluice-opcua-browse} for {@code sluice opcua browse}. */
    static String pageName(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    /** One command's man page in roff (man(7) macros). */
    static String manPage(CommandSpec spec) {
        StringBuilder sb = new StringBuilder();
        String name = pageName(spec);
        String[] description = spec.usageMessage().description();
        sb.append(".TH ").append(roff(name.toUpperCase(java.util.Locale.ROOT))).append(" 1 \"\" \"sluice\" \"Sluice Manual\"\n");
        sb.append(".SH NAME\n").append(roff(name)).append(" \\- ")
                .append(roff(description.length == 0 ? spec.qualifiedName() : firstSentence(description[0]))).append('\n');
        sb.append(".SH SYNOPSIS\n.nf\n").append(roff(plain(spec.commandLine().getHelp().synopsis(0)).strip())).append("\n.fi\n");
        if (description.length > 0) {
            sb.append(".SH DESCRIPTION\n");
            for (String line : description) sb.append(".PP\n").append(roff(line)).append('\n');
        }
        if (!spec.positionalParameters().isEmpty()) {
            sb.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : spec.positionalParameters()) {
                sb.append(".TP\n\\fI").append(roff(p.paramLabel())).append("\\fR\n").append(roff(String.join(" ", p.description()))).append('\n');
            }
        }
        sb.append(".SH OPTIONS\n");
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) continue;
            sb.append(".TP\n\\fB").append(roff(String.join(", ", o.names()))).append("\\fR");
            if (o.arity().max() > 0) sb.append(" \\fI").append(roff(o.paramLabel())).append("\\fR");
            sb.append('\n').append(roff(String.join(" ", o.description()))).append('\n');
        }
        List<String> commands = spec.subcommands().entrySet().stream()
                .filter(e -> e.getKey().equals(e.getValue().getCommandName())).map(Map.Entry::getKey).toList();
        if (!commands.isEmpty()) {
            sb.append(".SH COMMANDS\n");
            for (String c : commands) {
                CommandSpec sub = spec.subcommands().get(c).getCommandSpec();
                String[] d = sub.usageMessage().description();
                sb.append(".TP\n\\fB").append(roff(c)).append("\\fR\n").append(roff(d.length == 0 ? "" : firstSentence(d[0])))
                        .append("\nSee \\fB").append(roff(pageName(sub))).append("\\fR(1).\n");
            }
        }
        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0 && !String.join("", footer).isBlank()) {
            sb.append(".SH NOTES\n.nf\n");
            for (String line : footer) if (!line.isBlank()) sb.append(roff(line)).append('\n');
            sb.append(".fi\n");
        }
        if (spec.parent() != null) sb.append(".SH SEE ALSO\n\\fB").append(roff(pageName(spec.parent()))).append("\\fR(1)\n");
        return sb.toString();
    }

    private static String firstSentence(String text) {
        int end = text.indexOf(". ");
        String s = end < 0 ? text : text.substring(0, end);
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** Help text without ANSI styles. */
    private static String plain(String text) {
        return text.replaceAll("\u001B\\[[0-9;]*m", "");
    }

    /** Text safe in roff: backslashes and hyphens escaped, no line starting with a control character. */
    static String roff(String text) {
        String s = plain(text).replace("\\", "\\e").replace("-", "\\-");
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            if (sb.length() > 0) sb.append('\n');
            if (line.startsWith(".") || line.startsWith("'")) sb.append("\\&");
            sb.append(line);
        }
        return sb.toString();
    }
}
