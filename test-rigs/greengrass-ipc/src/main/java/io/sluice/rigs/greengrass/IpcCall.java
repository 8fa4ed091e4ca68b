package io.sluice.rigs.greengrass;

import java.time.Instant;

/**
 * One request the stand-in received, in arrival order.
 *
 * @param time        when the request arrived
 * @param connection  a number identifying the client connection (1, 2, ... in connect order)
 * @param operation   the operation name as sent on the wire, e.g. {@code aws.greengrass#GetConfiguration}
 * @param requestJson the request payload as received (JSON)
 * @param outcome     {@code ok}, or the modelled error the stand-in answered with (e.g.
 *                    {@code aws.greengrass#UnauthorizedError})
 */
public record IpcCall(Instant time, int connection, String operation, String requestJson, String outcome) {

    /** The operation name without the {@code aws.greengrass#} namespace, e.g. {@code PublishToIoTCore}. */
    public String shortName() {
        int hash = operation.indexOf('#');
        return hash < 0 ? operation : operation.substring(hash + 1);
    }

    public boolean ok() {
        return "ok".equals(outcome);
    }
}
