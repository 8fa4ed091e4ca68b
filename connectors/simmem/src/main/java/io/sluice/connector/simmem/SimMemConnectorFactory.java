package io.sluice.connector.simmem;

import io.sluice.connector.simmem.SimMemConfig.PageConfig;
import io.sluice.connector.simmem.layout.Layout;
import io.sluice.connector.simmem.layout.Layouts;
import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.connector.Connector;
import io.sluice.spi.connector.ConnectorFactory;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** The {@code simmem} connector type. */
public final class SimMemConnectorFactory implements ConnectorFactory<SimMemConfig> {

    @Override
    public String type() {
        return "simmem";
    }

    @Override
    public String description() {
        return "simulator shared memory (ACC, Assetto Corsa, Tennessee Eastman, custom layouts) with lap records";
    }

    @Override
    public Class<SimMemConfig> configType() {
        return SimMemConfig.class;
    }

    /**
     * Checks shipped layouts fully (they are part of the jar). Layout files are only checked for their name here,
     * since validation does no I/O; the connector checks their contents when it starts.
     */
    @Override
    public void validate(SimMemConfig config, ProblemReporter problems) {
        if (config.pages().isEmpty()) {
            problems.report("pages", "at least one page is required, e.g. [{layout: acc-physics}]");
        }
        if (config.pollInterval().toNanos() < 10_000 || config.pollInterval().toMillis() > 1000) {
            problems.report("poll-interval", "expected 10us..1s, got " + io.sluice.spi.Durations.format(config.pollInterval()));
        }
        if (config.staleAfter().toMillis() < 10) problems.report("stale-after", "expected at least 10ms");
        if (config.retryInterval().toMillis() < 10) problems.report("retry-interval", "expected at least 10ms");
        if (config.lapTag().isBlank()) problems.report("lap-tag", "must not be empty");
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < config.pages().size(); i++) {
            PageConfig page = config.pages().get(i);
            String at = "pages[" + i + "]";
            if (page.interval().toMillis() < 1) problems.report(at + ".interval", "expected at least 1ms");
            Optional<Layout> layout = Optional.empty();
            if (Layouts.isFileReference(page.layout())) {
                // contents checked at start
            } else {
                layout = Layouts.shipped(page.layout());
                if (layout.isEmpty()) {
                    problems.report(at + ".layout", "no shipped layout named '" + page.layout() + "'; expected one of "
                            + Layouts.SHIPPED + " or a file ending in .yaml, .yml or .json");
                }
            }
            if (layout.isPresent()) {
                Layout l = layout.get();
                for (int f = 0; f < page.fields().size(); f++) {
                    if (l.field(page.fields().get(f)).isEmpty()) {
                        problems.report(at + ".fields[" + f + "]", "layout " + l.name() + " has no field '"
                                + page.fields().get(f) + "'");
                    }
                }
                if (page.maxRate() > 0 && l.refresh() != Layout.Refresh.COUNTER) {
                    problems.report(at + ".max-rate", "layout " + l.name() + " has no update counter; use interval");
                }
                String prefix = page.tagPrefix().orElse(l.tagPrefix());
                if (!prefixes.add(prefix)) {
                    problems.report(at + ".tag-prefix", "'" + prefix + "' is used by another page; set tag-prefix");
                }
            }
        }
    }

    @Override
    public Connector create(String name, SimMemConfig config) {
        return new SimMemConnector(name, config);
    }
}
