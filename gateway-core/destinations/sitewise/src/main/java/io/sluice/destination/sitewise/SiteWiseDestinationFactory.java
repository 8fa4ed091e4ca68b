package io.sluice.destination.sitewise;

import io.sluice.spi.config.ProblemReporter;
import io.sluice.spi.destination.Destination;
import io.sluice.spi.destination.DestinationFactory;
import java.net.URI;
import java.net.URISyntaxException;
import io.sluice.spi.destination.SampleWindow;
import java.time.Duration;
import java.util.Map;

/** Type {@code sitewise}: AWS IoT SiteWise BatchPutAssetPropertyValue. */
public final class SiteWiseDestinationFactory implements DestinationFactory<SiteWiseDestinationConfig> {

    @Override
    public String type() {
        return "sitewise";
    }

    @Override
    public String description() {
        return "AWS IoT SiteWise (BatchPutAssetPropertyValue), by property alias or asset and property id";
    }

    @Override
    public Class<SiteWiseDestinationConfig> configType() {
        return SiteWiseDestinationConfig.class;
    }

    /** BatchPutAssetPropertyValue refuses timestamps older than 7 days or more than 10 minutes ahead. */
    @Override
    public SampleWindow serviceWindow() {
        return SampleWindow.of(Duration.ofDays(7), Duration.ofMinutes(10));
    }

    @Override
    public void validate(SiteWiseDestinationConfig config, ProblemReporter problems) {
        config.endpointOverride().ifPresent(endpoint -> {
            try {
                URI uri = new URI(endpoint);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    problems.report("endpoint-override", "expected an http:// or https:// URL with a host, got '" + endpoint + "'");
                }
            } catch (URISyntaxException e) {
                problems.report("endpoint-override", "expected a URL such as https://host:443, got '" + endpoint + "': "
                        + e.getReason());
            }
        });
        if (config.propertyAlias().placeholders().isEmpty() && config.addressing() == SiteWiseDestinationConfig.Addressing.ALIAS) {
            problems.report("property-alias", "expected a template with placeholders such as /{site}/{area}/{machine}/{tag}; "
                    + "a fixed alias would send every tag to one property");
        }
        if (config.addressing() == SiteWiseDestinationConfig.Addressing.IDS && config.properties().isEmpty()) {
            problems.report("properties", "addressing: ids needs at least one entry mapping a rendered property-alias "
                    + "to asset-id and property-id");
        }
        if (config.addressing() == SiteWiseDestinationConfig.Addressing.ALIAS && !config.properties().isEmpty()) {
            problems.report("properties", "is only used with addressing: ids (addressing is alias)");
        }
        for (Map.Entry<String, SiteWiseDestinationConfig.PropertyIds> e : config.properties().entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().length() > 2048) {
                problems.report("properties", "keys must be rendered property aliases of 1 to 2048 characters");
            }
        }
        if (config.requestTimeout().compareTo(Duration.ofMillis(100)) < 0 || config.requestTimeout().compareTo(Duration.ofMinutes(5)) > 0) {
            problems.report("request-timeout", "expected a duration from 100ms to 5m, got "
                    + io.sluice.spi.Durations.format(config.requestTimeout()));
        }
    }

    @Override
    public Destination create(String name, SiteWiseDestinationConfig config) {
        return new SiteWiseDestination(name, config);
    }
}
