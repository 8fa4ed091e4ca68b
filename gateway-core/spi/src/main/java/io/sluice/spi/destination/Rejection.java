package io.sluice.spi.destination;

/** A sample a destination can never deliver (out of the service's timestamp window, an unsupported type). */
public record Rejection(OutboundSample sample, String reason) {}
