package io.sluice.gateway.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's first setup, whoever logs first (the CLI, a test, an embedding program): Sluice's defaults with the
 * command line's and environment's switches, without looking for logback XML files. {@code -Dlogback.configurationFile}
 * still wins. Registered in {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class DefaultLogConfigurator extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (Logback.ownConfigurationFile()) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        Logback.install(context, Logging.initialSettings(), true);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
