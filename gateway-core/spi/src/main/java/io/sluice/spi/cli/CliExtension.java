package io.sluice.spi.cli;

/**
 * Adds a subcommand to the {@code sluice} CLI (e.g. {@code sluice opcua browse}). Registered in
 * {@code META-INF/services/io.sluice.spi.cli.CliExtension}. {@link #command()} returns a {@link CliCommand}, a picocli
 * command object (a class annotated with {@code @Command}); the SPI stays free of picocli types, the CLI adds it with
 * {@code addSubcommand}.
 */
public interface CliExtension {

    /** The subcommand name, e.g. {@code opcua}. */
    String name();

    /** A new picocli {@code @Command} instance. */
    CliCommand command();
}
