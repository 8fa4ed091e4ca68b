package io.sluice.spi.cli;

/**
 * A subcommand object for the {@code sluice} CLI: a class annotated with picocli's {@code @Command} (usually a
 * {@code Callable<Integer>} or {@code Runnable}). The SPI does not depend on picocli; this interface says in the type
 * what {@link CliExtension#command()} hands over; picocli refuses an object without the annotation when the CLI adds it.
 */
public interface CliCommand {
}
