package io.sluice.rigs.greengrass;

import java.time.Instant;

/** A connect handshake: the {@code :version} header the client sent and whether its SVCUID token was accepted. */
public record ConnectAttempt(Instant time, int connection, String version, boolean accepted, String reason) {}
