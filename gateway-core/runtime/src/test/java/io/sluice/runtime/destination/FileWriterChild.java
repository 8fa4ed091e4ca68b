package io.sluice.runtime.destination;

import io.sluice.testkit.FakeDestinationContext;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The second process of {@link FileDestinationCrashIT}: writes windows of 200 samples through a file destination whose
 * disk is slow (writes of at most 512 bytes), prints {@code C <last seq>} after each confirmed window, and in window
 * number {@code stall-after} stops after three pieces of a write, in the middle of a line, printing {@code MID}, to be
 * killed there. Arguments: folder, first sequence, stall-after.
 */
public final class FileWriterChild {

    static final int WINDOW = 200;
    static final String ROTATE_SIZE = "64KB";

    private FileWriterChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long seq = Long.parseLong(args[1]);
        int stallAfter = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        boolean[] stall = {false};
        int[] pieces = {0};
        FileDestination destination = new FileDestination("out", config(dir), file -> {
            FaultyFileChannel channel = new FaultyFileChannel(FileDestination.DEFAULT_OPENER.open(file));
            channel.maxBytesPerWrite = 512;
            channel.beforeWrite = () -> {
                if (stall[0] && ++pieces[0] == 4) {
                    out.println("MID");
                    while (true) {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            };
            return channel;
        });
        FakeDestinationContext context = FileTestData.context(dir.resolve("state"));
        destination.start(context);
        out.println("READY");
        for (int window = 0; ; window++) {
            if (window == stallAfter) stall[0] = true;
            destination.sendAsync(destination.pack(FileTestData.samples(seq, seq + WINDOW)).packets()).get(30, TimeUnit.SECONDS);
            seq += WINDOW;
            out.println("C " + (seq - 1));
        }
    }

    static FileDestinationConfig config(Path dir) {
        return FileTestData.config(dir, ROTATE_SIZE, Duration.ZERO, 0);
    }
}
