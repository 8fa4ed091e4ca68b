package io.sluice.rigs.readers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the documented standard-library Python reader ({@code docs/readers/flat_payloads.py}) over payloads a test
 * collected: a reader that shares no code with Sluice. Returns its output, one JSON object per sample.
 */
public final class PythonFlatReader {

    private PythonFlatReader() {}

    /** The script, found by walking up from the working directory to the repository's {@code docs/readers}. */
    public static Path script() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path s = p.resolve("docs/readers/flat_payloads.py");
            if (Files.isRegularFile(s)) return s;
        }
        throw new IllegalStateException("docs/readers/flat_payloads.py not found above " + Path.of("").toAbsolutePath());
    }

    /**
     * Reads {@code input} ({@code kind} iot: one message per line; kinesis: concatenated record data) and returns the
     * reader's lines; fails with its error output when it exits non-zero or takes longer than a minute.
     */
    public static List<String> read(String kind, Path input) throws IOException, InterruptedException {
        Path out = Files.createTempFile(input.getParent(), "reader-", ".out");
        Path err = Files.createTempFile(input.getParent(), "reader-", ".err");
        Process p = new ProcessBuilder("python3", script().toString(), kind, input.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("the Python reader did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("the Python reader failed (" + p.exitValue() + "): " + Files.readString(err, StandardCharsets.UTF_8));
        }
        return Files.readAllLines(out, StandardCharsets.UTF_8);
    }
}
