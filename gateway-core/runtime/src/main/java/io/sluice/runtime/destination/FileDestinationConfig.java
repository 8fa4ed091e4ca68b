package io.sluice.runtime.destination;

import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Range;

@Doc("Writes samples as JSON Lines into a folder, rotating files by size.")
public record FileDestinationConfig(
        @Doc("Folder for the files (created if missing). Relative paths are relative to the working directory.")
        String directory,
        @Doc("File name prefix: the current file is `<prefix>.jsonl`, rotated ones `<prefix>-<timestamp>.jsonl`.")
        @DefaultValue("samples") String prefix,
        @Doc("Rotate the current file when it reaches this size.") @DefaultValue("64MB") DataSize rotateSize,
        @Doc("How many rotated files to keep; 0 keeps all.") @DefaultValue("10") @Range(min = 0) int keepFiles,
        @Doc("fsync each write before confirming it (slower, survives power loss).") @DefaultValue("false") boolean fsync) {}
