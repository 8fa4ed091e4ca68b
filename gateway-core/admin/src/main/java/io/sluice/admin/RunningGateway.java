package io.sluice.admin;

import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.GatewayConfig;
import io.sluice.spi.destination.GatewayServices;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * A gateway with its admin endpoint, as {@code sluice run}, {@code sluice demo} and the Greengrass component start
 * it: the gateway's meters go to the Prometheus registry the endpoint serves. Closing stops the endpoint first, then
 * the gateway. An endpoint that cannot start (port taken, no authentication beyond loopback) stops the gateway
 * again and fails the start.
 */
public final class RunningGateway implements AutoCloseable {

    private final Gateway gateway;
    private final AdminServer admin;
    private final AdminMetrics metrics;

    private RunningGateway(Gateway gateway, AdminServer admin, AdminMetrics metrics) {
        this.gateway = gateway;
        this.admin = admin;
        this.metrics = metrics;
    }

    /** Starts a gateway on {@code dataDir} (or the config's {@code store.directory} when null) and its endpoint. */
    public static RunningGateway start(GatewayConfig config, Path dataDir) {
        return start(config, dataDir, GatewayServices.NONE);
    }

    /** As {@link #start(GatewayConfig, Path)}, sharing {@code services} with the destinations. */
    public static RunningGateway start(GatewayConfig config, Path dataDir, GatewayServices services) {
        AdminMetrics metrics = AdminMetrics.create();
        Gateway gateway;
        try {
            gateway = Gateway.start(config, dataDir, Clock.systemUTC(), metrics.registry(), services);
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
        try {
            return new RunningGateway(gateway, AdminServer.start(gateway, metrics), metrics);
        } catch (RuntimeException e) {
            gateway.close();
            metrics.close();
            throw e;
        }
    }

    public Gateway gateway() {
        return gateway;
    }

    /** The endpoint, or empty when {@code admin.listen} is {@code off}. */
    public Optional<AdminServer> admin() {
        return Optional.ofNullable(admin);
    }

    @Override
    public void close() {
        if (admin != null) admin.close();
        gateway.close();
        metrics.close();
    }
}
