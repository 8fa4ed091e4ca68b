package io.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {

    @TempDir
    Path dir;

    @Test
    void generatedOncePrivateAndKeptAcrossStarts() throws Exception {
        AdminToken first = AdminToken.loadOrCreate(dir);
        Path file = dir.resolve(AdminToken.FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(first.value().length() >= 40);
        assertEquals(first.value(), AdminToken.loadOrCreate(dir).value(), "kept");
        assertTrue(first.matches(first.value()));
        assertFalse(first.matches(first.value() + "x"));
        assertFalse(first.matches(null));
        assertEquals("****", first.toString());
        Path other = Files.createDirectory(dir.resolve("other"));
        assertNotEquals(first.value(), AdminToken.loadOrCreate(other).value(), "random");
    }
}
