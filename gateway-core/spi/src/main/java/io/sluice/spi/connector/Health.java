package io.sluice.spi.connector;

/** Lets a connector report its state; the runtime logs transitions and shows them in metrics and the CLI. */
public interface Health {

    void report(HealthState state, String detail);

    HealthState state();
}
