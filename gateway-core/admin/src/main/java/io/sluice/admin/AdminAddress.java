package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * {@code <data>/admin.json}: where a running gateway's admin endpoint listens and how a client authenticates, for
 * {@code sluice status} and scripts. Written (to a .tmp file, then renamed) when the endpoint starts, removed when
 * it stops.
 *
 * @param url       e.g. {@code http://127.0.0.1:9180} (a wildcard listen address is given as 127.0.0.1)
 * @param auth      {@code none}, {@code token} or {@code mutual-tls}
 * @param tokenFile the bearer token's file when {@code auth} is {@code token}, else null
 * @param pid       the gateway's process id
 */
public record AdminAddress(String url, String auth, String tokenFile, long pid) {

    void write(Path file, ObjectMapper json) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The address in {@code dataDir}, or empty when no endpoint runs there (or the file cannot be read). */
    public static Optional<AdminAddress> read(Path dataDir) {
        try {
            return Optional.of(new ObjectMapper().readValue(Files.readAllBytes(dataDir.resolve(AdminServer.ADDRESS_FILE)), AdminAddress.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
