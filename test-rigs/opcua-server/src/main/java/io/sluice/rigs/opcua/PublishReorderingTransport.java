package io.sluice.rigs.opcua;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.milo.opcua.stack.core.encoding.EncodingContext;
import org.eclipse.milo.opcua.stack.core.security.CertificateManager;
import org.eclipse.milo.opcua.stack.core.types.UaRequestMessageType;
import org.eclipse.milo.opcua.stack.core.types.UaResponseMessageType;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.PublishRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.PublishResponse;
import org.eclipse.milo.opcua.stack.transport.server.OpcServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.ServerApplicationContext;
import org.eclipse.milo.opcua.stack.transport.server.ServiceRequestContext;

/**
 * Fault injection for the OPC UA rig: a server transport that holds back every n-th PublishResponse carrying
 * notifications and sends it right after the next PublishResponse, so the client receives sequence numbers out of
 * order (…, 5, 7, 6, 8, …) — what a busy server with several publish requests in flight can do. The reordering
 * happens above the SecureChannel (each response is encoded when it is released), so the channel's own sequence
 * numbers stay valid; reordering raw TCP bytes would break them. A held response that no other response overtakes
 * within {@link #MAX_HOLD_MILLIS} is sent anyway.
 */
final class PublishReorderingTransport implements OpcServerTransport {

    static final long MAX_HOLD_MILLIS = 500;

    private final OpcServerTransport delegate;
    private final int every;
    private final AtomicLong withData = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "opcua-rig-reorder");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    private Held held;

    private record Held(CompletableFuture<UaResponseMessageType> out, UaResponseMessageType response) {
    }

    PublishReorderingTransport(OpcServerTransport delegate, int every) {
        this.delegate = delegate;
        this.every = every;
    }

    /** Publish responses sent out of order so far. */
    long reorderedCount() {
        return reordered.get();
    }

    @Override
    public void bind(ServerApplicationContext context, InetSocketAddress bindAddress) throws Exception {
        delegate.bind(new ServerApplicationContext() {
            @Override public List<EndpointDescription> getEndpointDescriptions() { return context.getEndpointDescriptions(); }
            @Override public CertificateManager getCertificateManager() { return context.getCertificateManager(); }
            @Override public EncodingContext getEncodingContext() { return context.getEncodingContext(); }
            @Override public Long getNextSecureChannelId() { return context.getNextSecureChannelId(); }
            @Override public Long getNextSecureChannelTokenId() { return context.getNextSecureChannelTokenId(); }
            @Override public org.eclipse.milo.opcua.stack.core.channel.SecurityKeysListener getSecurityKeysListener() {
                return context.getSecurityKeysListener();
            }

            @Override
            public CompletableFuture<UaResponseMessageType> handleServiceRequest(ServiceRequestContext rc,
                                                                                 UaRequestMessageType request) {
                CompletableFuture<UaResponseMessageType> response = context.handleServiceRequest(rc, request);
                if (!(request instanceof PublishRequest)) return response;
                CompletableFuture<UaResponseMessageType> out = new CompletableFuture<>();
                response.whenComplete((r, e) -> {
                    if (e != null) out.completeExceptionally(e);
                    else pass(out, r);
                });
                return out;
            }
        }, bindAddress);
    }

    private void pass(CompletableFuture<UaResponseMessageType> out, UaResponseMessageType response) {
        Held release;
        synchronized (lock) {
            release = held;
            held = null;
            boolean data = response instanceof PublishResponse p && p.getNotificationMessage().getNotificationData() != null
                    && p.getNotificationMessage().getNotificationData().length > 0;
            if (release == null && data && withData.incrementAndGet() % every == 0) {
                Held h = new Held(out, response);
                held = h;
                timer.schedule(() -> releaseIfHeld(h), MAX_HOLD_MILLIS, TimeUnit.MILLISECONDS);
                return;
            }
        }
        out.complete(response);
        if (release != null) {
            reordered.incrementAndGet();
            release.out().complete(release.response());
        }
    }

    private void releaseIfHeld(Held h) {
        synchronized (lock) {
            if (held != h) return;
            held = null;
        }
        h.out().complete(h.response());
    }

    @Override
    public void unbind() throws Exception {
        Held h;
        synchronized (lock) {
            h = held;
            held = null;
        }
        if (h != null) h.out().complete(h.response());
        timer.shutdownNow();
        delegate.unbind();
    }
}
