package io.sluice.gateway.cli;

import io.sluice.runtime.operations.OperationResult;
import io.sluice.runtime.operations.Position;
import io.sluice.runtime.operations.StreamOperations;
import io.sluice.spi.SluiceException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice streams purge | replay | redrive}: the write operations on streams (see {@link OperatorCommand}). */
final class StreamOperationCommands {

    private StreamOperationCommands() {}

    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = {"Deletes a stream's stored samples: all of them, or with --before those received before a time"
                    + " (whole blocks: one append's samples; a block straddling the time stays). Sequences continue.",
                    "Asks for confirmation on a terminal; without one it needs --yes. Works on a running gateway (admin endpoint)"
                            + " and on a stopped data directory."})
    static final class Purge extends OperatorCommand {
        @Parameters(index = "0", description = "Stream name.")
        String stream;

        @Option(names = "--before", paramLabel = "TIME", description = "Only samples received before TIME: an instant (2026-12-07T00:00:00Z) or a duration back from now (2h).")
        String before;

        @Option(names = "--yes", description = "Do it without asking.")
        boolean yes;

        @Override
        String adminPath() {
            return "/api/v1/streams" + path(stream) + "/purge";
        }

        @Override
        Map<String, Object> adminBody() {
            Map<String, Object> body = super.adminBody();
            if (before != null) body.put("before", instant().toString());
            return body;
        }

        private Instant instant() {
            Position p = Position.parse(before, Clock.systemUTC());
            if (p.isSequence()) throw new SluiceException("--before takes a time (2026-12-07T00:00:00Z, or 2h back from now), not a sequence", false);
            return Instant.ofEpochSecond(0, p.epochNanos());
        }

        @Override
        OperationResult offline(StreamOperations operations) {
            return operations.purge(stream, before == null ? null : instant(), actor());
        }

        @Override
        String confirmation() {
            return "Delete " + (before == null ? "every stored sample" : "the samples received before " + instant()) + " of stream " + stream + " in " + data + "?";
        }

        @Override
        boolean yes() {
            return yes;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Moves a destination's cursor on a stream back, so it is given the samples from there to its cursor again"
                    + " (then carries on). FROM must still be stored.",
                    "Asks for confirmation on a terminal; without one it needs --yes."})
    static final class Replay extends OperatorCommand {
        @Parameters(index = "0", description = "Stream name.")
        String stream;

        @Option(names = "--destination", required = true, paramLabel = "NAME", description = "The destination to deliver to again.")
        String destination;

        @Option(names = "--from", required = true, paramLabel = "SEQ|TIME",
                description = "A sequence number, an instant (2026-12-07T00:10:00Z) or a duration back from now (15m): the first sample delivered again.")
        String from;

        @Option(names = "--yes", description = "Do it without asking.")
        boolean yes;

        @Override
        String adminPath() {
            return "/api/v1/streams" + path(stream) + "/replay";
        }

        @Override
        Map<String, Object> adminBody() {
            Map<String, Object> body = super.adminBody();
            body.put("destination", destination);
            Position p = Position.parse(from, Clock.systemUTC());
            body.put("from", p.isSequence() ? String.valueOf(p.sequence()) : Instant.ofEpochSecond(0, p.epochNanos()).toString());
            return body;
        }

        @Override
        OperationResult offline(StreamOperations operations) {
            return operations.replay(stream, destination, Position.parse(from, Clock.systemUTC()), actor());
        }

        @Override
        String confirmation() {
            return "Deliver stream " + stream + " to " + destination + " again from " + from + "?";
        }

        @Override
        boolean yes() {
            return yes;
        }
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = {"Moves a dead-letter stream's samples back to the streams they came from (as new samples, without"
                    + " their reasons) and removes them from the dead-letter stream. Fix the cause first: samples rejected again"
                    + " come back. Every destination of the origin stream gets them."})
    static final class Redrive extends OperatorCommand {
        @Parameters(index = "0", paramLabel = "DEAD-LETTER-STREAM", description = "The dead-letter stream.")
        String stream;

        @Override
        String adminPath() {
            return "/api/v1/dead-letters" + path(stream) + "/redrive";
        }

        @Override
        OperationResult offline(StreamOperations operations) {
            return operations.redrive(stream, actor());
        }
    }
}
