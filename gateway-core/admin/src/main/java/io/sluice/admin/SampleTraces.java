package io.sluice.admin;

import io.sluice.runtime.Gateway;
import io.sluice.runtime.operations.SampleTrace;
import io.sluice.runtime.store.StoreInspector;
import io.sluice.runtime.store.StreamSettings;
import io.sluice.spi.SluiceException;
import java.util.Set;

/**
 * {@code GET /api/v1/streams/{name}/trace/{seq}}: where one sample went ({@link SampleTrace#toJson}): received, committed,
 * per destination delivered (with the kept receipts), dead-lettered (with the reason and the dead letter's stream and
 * sequence) or pending. 404 for a stream the store file does not hold (memory streams included), 400 for a sequence
 * not written yet. Reads the store file with a reader connection of its own, never blocking the writer.
 */
final class SampleTraces {

    private final Gateway gateway;

    SampleTraces(Gateway gateway) {
        this.gateway = gateway;
    }

    void handle(AdminExchange x) throws Exception {
        String stream = x.pathParam("name");
        long sequence;
        try {
            sequence = Long.parseLong(x.pathParam("seq"));
        } catch (NumberFormatException e) {
            throw new AdminException(400, "sequence '" + x.pathParam("seq") + "' is not a number");
        }
        var config = gateway.config().streams().get(stream);
        Set<String> exported = config == null ? Set.of() : StreamSettings.of(stream, config).destinations();
        try (StoreInspector store = new StoreInspector(gateway.store().file())) {
            if (store.streams().stream().noneMatch(s -> s.name().equals(stream))) {
                throw new AdminException(404, "no stream '" + stream + "' in the store file");
            }
            x.json(200, SampleTrace.of(store, stream, sequence, exported).toJson());
        } catch (SluiceException e) {
            throw new AdminException(e.retryable() ? 503 : 400, e.getMessage());
        }
    }
}
