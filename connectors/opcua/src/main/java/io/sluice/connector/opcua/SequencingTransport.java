package io.sluice.connector.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.eclipse.milo.opcua.stack.core.encoding.DefaultEncodingContext;
import org.eclipse.milo.opcua.stack.core.encoding.EncodingContext;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.types.UaRequestMessageType;
import org.eclipse.milo.opcua.stack.core.types.UaResponseMessageType;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.structured.CloseSessionRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.CreateMonitoredItemsRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.CreateMonitoredItemsResponse;
import org.eclipse.milo.opcua.stack.core.types.structured.CreateSubscriptionRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.CreateSubscriptionResponse;
import org.eclipse.milo.opcua.stack.core.types.structured.MonitoredItemCreateRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.MonitoredItemCreateResult;
import org.eclipse.milo.opcua.stack.core.types.structured.ResponseHeader;
import org.eclipse.milo.opcua.stack.core.types.structured.DataChangeNotification;
import org.eclipse.milo.opcua.stack.core.types.structured.MonitoredItemNotification;
import org.eclipse.milo.opcua.stack.core.types.structured.NotificationMessage;
import org.eclipse.milo.opcua.stack.core.types.structured.PublishRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.PublishResponse;
import org.eclipse.milo.opcua.stack.core.types.structured.RepublishRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.RepublishResponse;
import org.eclipse.milo.opcua.stack.core.types.structured.SubscriptionAcknowledgement;
import org.eclipse.milo.opcua.stack.core.util.Unit;
import org.eclipse.milo.opcua.stack.transport.client.ClientApplicationContext;
import org.eclipse.milo.opcua.stack.transport.client.OpcClientTransport;
import org.eclipse.milo.opcua.stack.transport.client.OpcClientTransportConfig;

/**
 * The connector's hold on notification sequence numbers, between Milo's client SDK and its transport.
 *
 * <p>Milo 1.1.2 hands subscription data to its listener without the NotificationMessage's sequence number, and it
 * can handle publish responses out of order: it then asks for a Republish of a message that is still on its way,
 * delivers both, and acknowledges sequence numbers it has not received yet (so a Republish can fail although the
 * message arrives later). Upstream reworked this in 2026; no such Milo version resolves here. So every PublishResponse
 * and RepublishResponse passes through here first, in the order the SecureChannel received them:
 * <ul>
 *   <li>the data change notifications go to the {@link NotificationSequencer}, which delivers each message once and
 *       in sequence-number order, and counts only true gaps as lost;</li>
 *   <li>Milo gets the message with its data change notifications emptied (status changes kept), so its own
 *       bookkeeping (sequence numbers, republish, keep-alives, the watchdog) goes on but it delivers no data;</li>
 *   <li>a Republish for a message that has already arrived is answered here, without asking the server;</li>
 *   <li>a failed Republish tells the sequencer that the server no longer has that message;</li>
 *   <li>a PublishRequest acknowledges only sequence numbers that have arrived, so the server keeps a message it
 *       reported as available until the client really has it.</li>
 * </ul>
 */
final class SequencingTransport implements OpcClientTransport {

    private static final EncodingContext ENCODING = DefaultEncodingContext.INSTANCE;
    private static final ExtensionObject EMPTY_DATA_CHANGE = ExtensionObject.encode(ENCODING,
            new DataChangeNotification(new MonitoredItemNotification[0], null));

    private final OpcClientTransport delegate;
    private final NotificationSequencer<List<MonitoredItemNotification>> sequencer;
    private final LongSupplier nanoClock;

    SequencingTransport(OpcClientTransport delegate, NotificationSequencer<List<MonitoredItemNotification>> sequencer,
                        LongSupplier nanoClock) {
        this.delegate = delegate;
        this.sequencer = sequencer;
        this.nanoClock = nanoClock;
    }

    @Override
    public OpcClientTransportConfig getConfig() {
        return delegate.getConfig();
    }

    @Override
    public CompletableFuture<Unit> connect(ClientApplicationContext applicationContext) {
        return delegate.connect(applicationContext);
    }

    @Override
    public CompletableFuture<Unit> disconnect() {
        return delegate.disconnect();
    }

    /**
     * A subscription of a lost session that was transferred to this one and is kept. Milo 1.1.2 cannot attach to an
     * existing subscription, so its next CreateSubscription is answered with this one, and CreateMonitoredItems for it
     * with the items the server still has (by node id). Milo then publishes, acknowledges and deletes it as its own.
     */
    record Adoption(UInteger subscriptionId, double publishingInterval, UInteger lifetimeCount,
                    UInteger maxKeepAliveCount, Map<NodeId, MonitoredItemCreateResult> items) {
    }

    private volatile Adoption nextCreate;
    private final Map<UInteger, Adoption> adopted = new ConcurrentHashMap<>();
    /**
     * Per continued subscription, how far Milo's numbering is behind the server's: Milo starts a subscription it
     * believes new at sequence number 1 and would otherwise ask for a Republish of every number below the first it
     * sees (millions after days of publishing). It sees server number n as n - offset; acknowledgements and Republish
     * requests are translated back.
     */
    private final Map<Long, Long> offsets = new ConcurrentHashMap<>();
    private volatile boolean keepSubscriptionsOnClose;

    /** Answers the next CreateSubscription with {@code adoption} instead of creating one on the server. */
    void adoptNextCreate(Adoption adoption) {
        nextCreate = adoption;
    }

    /** Closing the session leaves its subscriptions on the server, for the next session to transfer. */
    void keepSubscriptionsOnClose() {
        keepSubscriptionsOnClose = true;
    }

    private static ResponseHeader goodHeader(UaRequestMessageType request) {
        return new ResponseHeader(DateTime.now(), request.getRequestHeader().getRequestHandle(), StatusCode.GOOD,
                null, null, null);
    }

    @Override
    public CompletableFuture<UaResponseMessageType> sendRequestMessage(UaRequestMessageType request) {
        if (request instanceof CreateSubscriptionRequest && nextCreate != null) {
            Adoption a = nextCreate;
            nextCreate = null;
            adopted.put(a.subscriptionId(), a);
            long id = a.subscriptionId().longValue();
            offsets.put(id, sequencer.nextExpected(id) - 1);
            return CompletableFuture.completedFuture(new CreateSubscriptionResponse(goodHeader(request),
                    a.subscriptionId(), a.publishingInterval(), a.lifetimeCount(), a.maxKeepAliveCount()));
        }
        if (request instanceof CreateMonitoredItemsRequest create && adopted.containsKey(create.getSubscriptionId())) {
            Adoption a = adopted.get(create.getSubscriptionId());
            MonitoredItemCreateRequest[] items = create.getItemsToCreate();
            MonitoredItemCreateResult[] results = new MonitoredItemCreateResult[items == null ? 0 : items.length];
            for (int i = 0; i < results.length; i++) {
                MonitoredItemCreateResult r = a.items().get(items[i].getItemToMonitor().getNodeId());
                results[i] = r != null ? r : new MonitoredItemCreateResult(new StatusCode(StatusCodes.Bad_NodeIdUnknown),
                        UInteger.MIN, 0.0, UInteger.MIN, null);
            }
            return CompletableFuture.completedFuture(new CreateMonitoredItemsResponse(goodHeader(request), results, null));
        }
        if (request instanceof CloseSessionRequest close && keepSubscriptionsOnClose) {
            return delegate.sendRequestMessage(new CloseSessionRequest(close.getRequestHeader(), false));
        }
        if (request instanceof PublishRequest publish) {
            return delegate.sendRequestMessage(acknowledgeOnlyReceived(publish)).thenApply(this::onPublishResponse);
        }
        if (request instanceof RepublishRequest republish) {
            long subscription = republish.getSubscriptionId().longValue();
            UInteger miloSequence = republish.getRetransmitSequenceNumber();
            long sequence = toServer(subscription, miloSequence.longValue());
            if (sequencer.received(subscription, sequence)) {
                // already here (Milo handled a later response first): answer without asking the server, which may
                // have dropped the message once it was acknowledged
                ResponseHeader header = new ResponseHeader(DateTime.now(), republish.getRequestHeader().getRequestHandle(),
                        StatusCode.GOOD, null, null, null);
                return CompletableFuture.completedFuture(new RepublishResponse(header, new NotificationMessage(
                        miloSequence, DateTime.now(), new ExtensionObject[]{EMPTY_DATA_CHANGE})));
            }
            UaRequestMessageType toServer = sequence == miloSequence.longValue() ? request
                    : new RepublishRequest(republish.getRequestHeader(), republish.getSubscriptionId(), uint(sequence));
            return delegate.sendRequestMessage(toServer).handle((response, error) -> {
                if (response instanceof RepublishResponse r && r.getResponseHeader().getServiceResult().isGood()) {
                    return new RepublishResponse(r.getResponseHeader(),
                            forMilo(subscription, take(subscription, r.getNotificationMessage())));
                }
                sequencer.unavailable(subscription, sequence, nanoClock.getAsLong());
                if (error != null) throw error instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(error);
                return response;
            });
        }
        return delegate.sendRequestMessage(request);
    }

    private PublishRequest acknowledgeOnlyReceived(PublishRequest publish) {
        SubscriptionAcknowledgement[] acks = publish.getSubscriptionAcknowledgements();
        if (acks == null || acks.length == 0) return publish;
        List<SubscriptionAcknowledgement> kept = new ArrayList<>(acks.length);
        boolean changed = false;
        for (SubscriptionAcknowledgement ack : acks) {
            long subscription = ack.getSubscriptionId().longValue();
            long sequence = toServer(subscription, ack.getSequenceNumber().longValue());
            if (!sequencer.received(subscription, sequence)) {
                changed = true;
            } else if (sequence != ack.getSequenceNumber().longValue()) {
                kept.add(new SubscriptionAcknowledgement(ack.getSubscriptionId(), uint(sequence)));
                changed = true;
            } else {
                kept.add(ack);
            }
        }
        if (!changed) return publish;
        return new PublishRequest(publish.getRequestHeader(), kept.toArray(SubscriptionAcknowledgement[]::new));
    }

    private UaResponseMessageType onPublishResponse(UaResponseMessageType response) {
        if (!(response instanceof PublishResponse p)) return response;
        long subscription = p.getSubscriptionId().longValue();
        NotificationMessage message = p.getNotificationMessage();
        ExtensionObject[] data = message.getNotificationData();
        NotificationMessage forMilo;
        if (data == null || data.length == 0) {
            sequencer.keepAlive(subscription, message.getSequenceNumber().longValue(), nanoClock.getAsLong());
            if (!offsets.containsKey(subscription)) return response;
            forMilo = forMilo(subscription, message);
        } else {
            forMilo = forMilo(subscription, take(subscription, message));
        }
        UInteger[] available = p.getAvailableSequenceNumbers();
        Long offset = offsets.get(subscription);
        if (offset != null && available != null) {
            available = java.util.Arrays.stream(available).mapToLong(UInteger::longValue).filter(n -> n > offset)
                    .mapToObj(n -> uint(n - offset)).toArray(UInteger[]::new);
        }
        return new PublishResponse(p.getResponseHeader(), p.getSubscriptionId(), available,
                p.getMoreNotifications(), forMilo, p.getResults(), p.getDiagnosticInfos());
    }

    /** A server sequence number as Milo numbers it (continued subscriptions only; at least 1). */
    private NotificationMessage forMilo(long subscription, NotificationMessage message) {
        Long offset = offsets.get(subscription);
        if (offset == null || offset == 0) return message;
        long n = Math.max(1, message.getSequenceNumber().longValue() - offset);
        return new NotificationMessage(uint(n), message.getPublishTime(), message.getNotificationData());
    }

    /** Milo's sequence number as the server numbers it. */
    private long toServer(long subscription, long miloSequence) {
        Long offset = offsets.get(subscription);
        return offset == null ? miloSequence : miloSequence + offset;
    }

    /** Hands the message's data changes to the sequencer; returns the message Milo may see (no data changes). */
    private NotificationMessage take(long subscription, NotificationMessage message) {
        ExtensionObject[] data = message.getNotificationData();
        if (data == null || data.length == 0) return message;
        List<MonitoredItemNotification> changes = new ArrayList<>();
        List<ExtensionObject> rest = new ArrayList<>(data.length);
        boolean hadDataChange = false;
        for (ExtensionObject xo : data) {
            Object decoded = xo.decode(ENCODING);
            if (decoded instanceof DataChangeNotification dcn) {
                hadDataChange = true;
                if (dcn.getMonitoredItems() != null) changes.addAll(List.of(dcn.getMonitoredItems()));
            } else {
                rest.add(xo);
            }
        }
        if (!hadDataChange) return message;
        sequencer.offer(subscription, message.getSequenceNumber().longValue(), changes, nanoClock.getAsLong());
        // an empty data change keeps the message a data message for Milo's bookkeeping (not a keep-alive)
        rest.add(0, EMPTY_DATA_CHANGE);
        return new NotificationMessage(message.getSequenceNumber(), message.getPublishTime(),
                rest.toArray(ExtensionObject[]::new));
    }
}
