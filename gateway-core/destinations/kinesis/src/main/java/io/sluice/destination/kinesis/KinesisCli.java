package io.sluice.destination.kinesis;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.samplejson.DecodedSample;
import io.sluice.samplejson.SeriesJson;
import io.sluice.spi.Value;
import io.sluice.spi.cli.CliCommand;
import io.sluice.spi.cli.CliExtension;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sluice kinesis ...}: tools for the Kinesis destination. */
public final class KinesisCli implements CliExtension {

    @Override
    public String name() {
        return "kinesis";
    }

    @Override
    public CliCommand command() {
        return new KinesisCommand();
    }

    @Command(name = "kinesis", description = "Tools for the Kinesis destination.",
            mixinStandardHelpOptions = true, subcommands = DecodeCommand.class)
    public static final class KinesisCommand implements Runnable, CliCommand {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /** How the record's bytes are written in the input. */
    public enum InputEncoding { RAW, BASE64, HEX, AUTO }

    /** What to print per sample. */
    public enum OutputFormat { JSONL, TEXT }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = {"Unpacks a Kinesis record written by Sluice (gzip'd or plain JSON Lines) and prints its samples.",
                    "Input: a file with the record's data, or '-' for stdin; raw bytes, base64 (as in 'aws kinesis "
                            + "get-records' output) or hex."},
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:decoded", "1:not a Sluice record", "2:usage error"})
    public static final class DecodeCommand implements Callable<Integer> {

        @Parameters(index = "0", arity = "0..1", defaultValue = "-", paramLabel = "FILE",
                description = "File holding the record data; '-' (default) reads stdin.")
        String input;

        @Option(names = "--encoding", defaultValue = "auto", converter = EncodingConverter.class,
                description = "Input encoding: raw, base64, hex or auto (default: ${DEFAULT-VALUE}; auto takes gzip or "
                        + "JSON as raw, hex digits as hex, else base64).")
        InputEncoding encoding;

        @Option(names = "--base64", description = "Same as --encoding=base64.")
        boolean base64;

        @Option(names = "--hex", description = "Same as --encoding=hex.")
        boolean hex;

        @Option(names = "--format", defaultValue = "jsonl", converter = FormatConverter.class,
                description = "Output: jsonl (the record format, one sample per line) or text (default: ${DEFAULT-VALUE}).")
        OutputFormat format;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            byte[] in = input.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(input));
            InputEncoding enc = base64 ? InputEncoding.BASE64 : hex ? InputEncoding.HEX : encoding;
            List<DecodedSample> samples;
            try {
                samples = SampleRecordFormat.decode(toBytes(in, enc));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("not a Sluice Kinesis record: " + e.getMessage());
                return 1;
            }
            java.io.PrintWriter out = spec.commandLine().getOut();
            print(samples, format, out);
            out.flush();
            return 0;
        }
    }

    static final class EncodingConverter implements picocli.CommandLine.ITypeConverter<InputEncoding> {
        @Override
        public InputEncoding convert(String value) {
            return InputEncoding.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        }
    }

    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            return OutputFormat.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** Turns the input into the record's bytes. */
    static byte[] toBytes(byte[] input, InputEncoding encoding) {
        switch (encoding) {
            case RAW:
                return input;
            case BASE64:
                return Base64.getMimeDecoder().decode(new String(input, StandardCharsets.US_ASCII).trim());
            case HEX: {
                String text = new String(input, StandardCharsets.US_ASCII).replaceAll("\\s+", "");
                if (text.startsWith("0x") || text.startsWith("0X")) text = text.substring(2);
                return HexFormat.of().parseHex(text);
            }
            default: {
                if (SeriesJson.isGzip(input) || (input.length > 0 && input[0] == '{')) return input;
                String text = new String(input, StandardCharsets.US_ASCII).trim();
                if (text.matches("(0[xX])?[0-9a-fA-F\\s]+") && text.replaceAll("\\s+", "").length() % 2 == 0) {
                    return toBytes(input, InputEncoding.HEX);
                }
                return toBytes(input, InputEncoding.BASE64);
            }
        }
    }

    /** Prints samples as normalised JSON Lines (the record format) or as readable text. */
    static void print(List<DecodedSample> samples, OutputFormat format, Writer out) throws IOException {
        if (format == OutputFormat.JSONL) {
            try (JsonGenerator g = SeriesJson.newGenerator(out)) {
                for (DecodedSample d : samples) SeriesJson.writeFlat(d, g);
            }
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (DecodedSample d : samples) {
            sb.setLength(0);
            sb.append(d.sample().sourceTime()).append("  ").append(d.stream()).append('#').append(d.sequence())
                    .append("  ").append(d.connector()).append('/').append(d.sample().tag()).append(" = ")
                    .append(Value.render(d.sample().value()));
            if (d.sample().unit() != null) sb.append(' ').append(d.sample().unit());
            sb.append("  ").append(d.sample().quality());
            if (d.sample().hasServerTime()) sb.append("  server ").append(d.sample().serverTime());
            if (d.sample().statusCode() != 0) sb.append(" (0x").append(Long.toHexString(d.sample().statusCode())).append(')');
            if (!d.asset().levels().isEmpty()) sb.append("  ").append(new java.util.TreeMap<>(d.asset().levels()));
            sb.append('\n');
            out.write(sb.toString());
        }
    }
}
