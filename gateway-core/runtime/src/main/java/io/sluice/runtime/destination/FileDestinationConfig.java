package io.sluice.runtime.destination;

import io.sluice.spi.config.DataSize;
import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Range;
import java.time.Duration;

@Doc("Writes samples as JSON Lines into a folder, rotating files by size and age; files hold whole lines only.")
public record FileDestinationConfig(
        @Doc("Folder for the files (created if missing). Relative paths are relative to the working directory.")
        String directory,
        @Doc("File name prefix: the active file is `<prefix>.jsonl`, closed (rotated) ones `<prefix>-<timestamp>.jsonl`.")
        @DefaultValue("samples") String prefix,
        @Doc("Close the active file and start a new one when it reaches this size.") @DefaultValue("64MB") DataSize rotateSize,
        @Doc("Close the active file and start a new one when it is this old (counted from its first line); 0s never rotates by age.")
        @DefaultValue("1h") Duration rotateAge,
        @Doc("How many rotated files to keep; 0 keeps all.") @DefaultValue("10") @Range(min = 0) int keepFiles,
        @Doc("fsync each write before confirming it (slower, survives power loss).") @DefaultValue("false") boolean fsync) {}
