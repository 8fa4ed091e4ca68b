package io.sluice.gateway.cli;

import io.sluice.runtime.operations.OperationResult;
import io.sluice.runtime.operations.StreamOperations;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "destinations", mixinStandardHelpOptions = true,
        description = "Operates a gateway's destinations: a probe call, pause and resume (on a running gateway through its admin endpoint, or on a stopped data directory).",
        subcommands = {DestinationsCommand.Test.class, DestinationsCommand.Pause.class, DestinationsCommand.Resume.class})
final class DestinationsCommand {

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"One probe call to a destination that sends no samples (the Kinesis stream exists and is active, the"
                    + " folder is writable, ...) and a clear verdict: OK (exit 0) or FAILED with the reason (exit 1).",
                    "On a stopped data directory it starts the destination from --config for the call."})
    static final class Test extends OperatorCommand {
        @Parameters(index = "0", description = "Destination name.")
        String destination;

        @Option(names = {"-c", "--config"}, description = "The configuration (needed when no gateway runs).")
        Path config;

        @Override
        String adminPath() {
            return "/api/v1/destinations" + path(destination) + "/test";
        }

        @Override
        OperationResult offline(StreamOperations operations) {
            return operations.test(destination, actor());
        }

        @Override
        Path configFile() {
            return config;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Stops a destination sending (state PAUSED) until it is resumed; its streams keep buffering. The pause outlives restarts.")
    static final class Pause extends OperatorCommand {
        @Parameters(index = "0", description = "Destination name.")
        String destination;

        @Override
        String adminPath() {
            return "/api/v1/destinations" + path(destination) + "/pause";
        }

        @Override
        OperationResult offline(StreamOperations operations) {
            return operations.pause(destination, actor());
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Lets a paused destination send again.")
    static final class Resume extends OperatorCommand {
        @Parameters(index = "0", description = "Destination name.")
        String destination;

        @Override
        String adminPath() {
            return "/api/v1/destinations" + path(destination) + "/resume";
        }

        @Override
        OperationResult offline(StreamOperations operations) {
            return operations.resume(destination, actor());
        }
    }
}
