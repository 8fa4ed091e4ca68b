package io.sluice.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.runtime.Plugins;
import io.sluice.runtime.config.ConfigSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/config.schema.json is generated from the code; this fails when it is stale. */
class ConfigSchemaTest {

    @Test
    void publishedSchemaMatchesTheCode() throws Exception {
        Path published = Path.of("..", "..", "docs", "config.schema.json");
        String generated = ConfigSchema.generate(Plugins.discover());
        String onDisk = Files.exists(published) ? Files.readString(published, StandardCharsets.UTF_8) : "";
        assertEquals(generated, onDisk, "docs/config.schema.json is stale: regenerate it with `./sluice schema -o docs/config.schema.json`");
    }

    @Test
    void publishedReferenceMatchesTheCode() throws Exception {
        Path published = Path.of("..", "..", "docs", "configuration-reference.md");
        String generated = io.sluice.runtime.config.ConfigReference.generate(Plugins.discover());
        String onDisk = Files.exists(published) ? Files.readString(published, StandardCharsets.UTF_8) : "";
        assertEquals(generated, onDisk,
                "docs/configuration-reference.md is stale: regenerate it with `./sluice schema --reference -o docs/configuration-reference.md`");
    }
}
