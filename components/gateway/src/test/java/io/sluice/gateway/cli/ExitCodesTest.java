package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.spi.SluiceException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ExitCodesTest {

    @Test
    void aSluiceFailureIsItsOwnMessageOnOneLine() {
        assertEquals("cannot open stream store x: disk full (4 MB reserve in use)",
                ExitCodes.oneLine(new SluiceException("cannot open stream store x:\n  disk full (4 MB reserve in use)\n", false)));
    }

    @Test
    void anyOtherFailureNamesItsTypeAndCause() {
        assertEquals("UncheckedIOException: cannot create state directory /d: Read-only file system",
                ExitCodes.oneLine(new UncheckedIOException("cannot create state directory /d",
                        new java.io.IOException("Read-only file system"))));
        assertEquals("NullPointerException", ExitCodes.oneLine(new NullPointerException()));
    }
}
