package io.sluice.connector.opcua;

import io.sluice.connector.opcua.NodeResolver.ResolvedNode;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;

/**
 * The nodes of one subscription by the client handles of their monitored items, fixed once the items are created and
 * read for every value the server sends. A subscription numbers its items' handles from 1 up, so the nodes sit in an
 * array indexed by handle; handles spread too far for that (a subscription that lost and re-added many items) fall
 * back to a map.
 */
final class ClientHandles {

    static final ClientHandles NONE = new ClientHandles(Map.of());

    private final long lowest;
    private final ResolvedNode[] byOffset;
    private final Map<Long, ResolvedNode> spread;

    ClientHandles(Map<UInteger, ResolvedNode> nodes) {
        long low = Long.MAX_VALUE, high = Long.MIN_VALUE;
        for (UInteger h : nodes.keySet()) {
            low = Math.min(low, h.longValue());
            high = Math.max(high, h.longValue());
        }
        boolean dense = !nodes.isEmpty() && high - low < 2L * nodes.size() + 64;
        lowest = dense ? low : 0;
        byOffset = dense ? new ResolvedNode[(int) (high - low + 1)] : new ResolvedNode[0];
        spread = dense ? Map.of() : new HashMap<>();
        nodes.forEach((h, n) -> {
            if (dense) byOffset[(int) (h.longValue() - lowest)] = n;
            else spread.put(h.longValue(), n);
        });
    }

    /** The node of {@code handle}, or null when no item of this subscription has it. */
    ResolvedNode node(UInteger handle) {
        long offset = handle.longValue() - lowest;
        if (offset >= 0 && offset < byOffset.length) return byOffset[(int) offset];
        return spread.isEmpty() ? null : spread.get(handle.longValue());
    }
}
