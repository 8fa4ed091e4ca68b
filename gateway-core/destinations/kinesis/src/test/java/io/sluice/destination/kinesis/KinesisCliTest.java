package io.sluice.destination.kinesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.samplejson.DecodedSample;
import io.sluice.spi.AssetContext;
import io.sluice.spi.Quality;
import io.sluice.spi.Sample;
import io.sluice.spi.Value;
import io.sluice.spi.destination.Packet;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

class KinesisCliTest {

    @TempDir
    Path dir;

    @Test
    void decodesRawBase64AndHexFiles() throws Exception {
        var d = new KinesisDestination("k", KinesisTestSamples.config("s", Optional.empty()));
        Packet p = d.pack(KinesisTestSamples.floats("telemetry", 20, 1, 1)).packets().get(0);
        byte[] data = ((PutRecordsRequestEntry) p.body()).data().asByteArray();
        Files.write(dir.resolve("raw.bin"), data);
        Files.writeString(dir.resolve("b64.txt"), Base64.getEncoder().encodeToString(data) + "\n");
        Files.writeString(dir.resolve("hex.txt"), HexFormat.of().formatHex(data));
        for (String[] args : List.of(new String[] {dir.resolve("raw.bin").toString()},
                new String[] {"--base64", dir.resolve("b64.txt").toString()},
                new String[] {dir.resolve("b64.txt").toString()},
                new String[] {"--hex", dir.resolve("hex.txt").toString()},
                new String[] {dir.resolve("hex.txt").toString()})) {
            StringWriter out = new StringWriter();
            CommandLine cli = new CommandLine(new KinesisCli().command());
            cli.setOut(new PrintWriter(out));
            String[] full = new String[args.length + 1];
            full[0] = "decode";
            System.arraycopy(args, 0, full, 1, args.length);
            assertEquals(0, cli.execute(full), String.join(" ", args));
            String[] lines = out.toString().split("\n");
            assertEquals(20, lines.length, String.join(" ", args));
            assertTrue(lines[0].startsWith("{\"stream\":\"telemetry\",\"seq\":1,\"connector\":\"sim\",\"tag\":\"tag-0\""), lines[0]);
        }
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new KinesisCli().command());
        cli.setOut(new PrintWriter(text));
        assertEquals(0, cli.execute("decode", "--format=text", dir.resolve("raw.bin").toString()));
        assertTrue(text.toString().contains("telemetry#1  sim/tag-0 = "), text.toString());
    }

    @Test
    void theServerTimeIsShownWhenASampleHasOne() throws Exception {
        long source = 1_763_800_000_123_000_000L;
        var withServer = new DecodedSample("telemetry", 7, "plc", AssetContext.EMPTY,
                new Sample("press.force", Value.of(812.5), Quality.GOOD, 0, source, source + 4_000_000, source + 9_000_000, "kN"));
        StringWriter text = new StringWriter();
        KinesisCli.print(List.of(withServer), KinesisCli.OutputFormat.TEXT, text);
        assertTrue(text.toString().contains("GOOD  server 2025-11-22T08:26:40.127Z"), text.toString());
        StringWriter json = new StringWriter();
        KinesisCli.print(List.of(withServer), KinesisCli.OutputFormat.JSONL, json);
        assertTrue(json.toString().contains("\"st\":" + (source + 4_000_000)), json.toString());
    }

    @Test
    void garbageExitsWithOne() throws Exception {
        Files.writeString(dir.resolve("bad.txt"), "{\"not\":\"a sample\"}\n");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new KinesisCli().command());
        cli.setErr(new PrintWriter(err));
        assertEquals(1, cli.execute("decode", dir.resolve("bad.txt").toString()));
        assertTrue(err.toString().contains("not a Sluice Kinesis record"), err.toString());
    }
}
