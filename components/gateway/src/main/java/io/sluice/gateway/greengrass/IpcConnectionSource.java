package io.sluice.gateway.greengrass;

import io.sluice.spi.SluiceException;
import io.sluice.spi.destination.DestinationContext;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The IPC connection a Greengrass destination publishes through: the one the gateway's starter shares
 * ({@link GreengrassMode} does, through {@link DestinationContext#services()}), or else one of its own, opened from
 * the process environment on first use and closed with the destination (a gateway started some other way under the
 * nucleus). Asked on the first publish, so creating a destination does no I/O.
 */
final class IpcConnectionSource {

    private static final Duration OWN_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final Supplier<GreengrassIpc> shared;
    private final Map<String, String> env;
    private GreengrassIpc own;

    private IpcConnectionSource(Supplier<GreengrassIpc> shared, Map<String, String> env) {
        this.shared = shared;
        this.env = env;
    }

    /** The connection {@code context} shares, or one of its own from {@code System.getenv()}. */
    static IpcConnectionSource from(DestinationContext context) {
        GreengrassIpc given = context.services().find(GreengrassIpc.class).orElse(null);
        return new IpcConnectionSource(() -> given, System.getenv());
    }

    /** Always {@code ipc} (tests). */
    static IpcConnectionSource of(Supplier<GreengrassIpc> ipc) {
        return new IpcConnectionSource(ipc, Map.of());
    }

    /** The connection; a retryable {@link SluiceException} when there is none to be had yet. */
    synchronized GreengrassIpc get() {
        GreengrassIpc given = shared.get();
        if (given != null) {
            return given;
        }
        if (own == null || own.state() == IpcSessionState.CLOSED) {
            try {
                own = GreengrassIpc.connect(env, OWN_CONNECT_TIMEOUT);
            } catch (IOException e) {
                throw new SluiceException(e.getMessage(), true, e);
            }
        }
        return own;
    }

    /** Closes the connection of its own, if it opened one; a shared one stays with its owner. */
    synchronized void close() {
        if (own != null) {
            own.close();
            own = null;
        }
    }
}
