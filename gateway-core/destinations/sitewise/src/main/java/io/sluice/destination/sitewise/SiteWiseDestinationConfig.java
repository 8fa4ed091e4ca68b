package io.sluice.destination.sitewise;

import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Pattern;
import io.sluice.spi.config.Range;
import io.sluice.spi.config.Template;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The {@code sitewise} destination's keys. */
@Doc("Exports samples to AWS IoT SiteWise with BatchPutAssetPropertyValue.")
public record SiteWiseDestinationConfig(
        @Doc("AWS region, e.g. `eu-central-1`. Default: the SDK's region chain (AWS_REGION, aws.region, the profile, "
                + "instance metadata).")
        @Pattern(regex = "[a-z]{2}(-[a-z]+)+-\\d+", expected = "an AWS region such as eu-central-1")
        Optional<String> region,
        @Doc("Endpoint URL used instead of the regional one (a VPC endpoint, a test stand-in), e.g. "
                + "`https://data.iotsitewise.eu-central-1.amazonaws.com`. Used exactly as written: the SDK's `data.` "
                + "host prefix is not added.")
        Optional<String> endpointOverride,
        @Doc("How entries name their property: `alias` sends the rendered `property-alias`; `ids` looks the rendered "
                + "`property-alias` up in `properties` and sends that asset id and property id (samples without a "
                + "mapping are rejected to the dead-letter stream).")
        @DefaultValue("alias") Addressing addressing,
        @Doc("Property alias of a sample, from its asset context and `{tag}`, `{connector}`, `{stream}`, `{unit}`. "
                + "A sample whose asset context lacks a level the template uses is rejected.")
        @DefaultValue("/{site}/{area}/{machine}/{tag}") Template propertyAlias,
        @Doc("With `addressing: ids`: rendered `property-alias` -> asset id and property id.")
        Map<String, PropertyIds> properties,
        @Doc("Entries per BatchPutAssetPropertyValue request (the service allows 10).")
        @DefaultValue("10") @Range(min = 1, max = 10) int maxEntriesPerRequest,
        @Doc("Values per entry (the service allows 10).")
        @DefaultValue("10") @Range(min = 1, max = 10) int maxValuesPerEntry,
        @Doc("Time limit of one request including connecting; after it the entries are retried.")
        @DefaultValue("10s") Duration requestTimeout,
        @Doc("Samples the publisher reads from the store per window (confirmed together).")
        @DefaultValue("1000") @Range(min = 10, max = 100000) int windowSamples) {

    /** How an entry names its asset property. */
    public enum Addressing { ALIAS, IDS }

    @Doc("An asset property named by ids.")
    public record PropertyIds(
            @Doc("Asset id (a UUID; SiteWise refuses the all-zero one).")
            @Pattern(regex = ID_PATTERN, expected = ID_EXPECTED)
            String assetId,
            @Doc("Property id (a UUID; SiteWise refuses the all-zero one).")
            @Pattern(regex = ID_PATTERN, expected = ID_EXPECTED)
            String propertyId) {}

    /** Asset and property ids as the service model defines them: a lowercase UUID other than the all-zero one. */
    static final String ID_PATTERN =
            "(?!00000000-0000-0000-0000-000000000000)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    static final String ID_EXPECTED = "a lowercase UUID other than the all-zero one";

    /** The defaults, for tests and tools: alias addressing against {@code endpoint}. */
    public static SiteWiseDestinationConfig defaults(Optional<String> region, Optional<String> endpoint) {
        return new SiteWiseDestinationConfig(region, endpoint, Addressing.ALIAS,
                Template.parse("/{site}/{area}/{machine}/{tag}"), Map.of(), 10, 10, Duration.ofSeconds(10), 1000);
    }

    public SiteWiseDestinationConfig withPropertyAlias(String template) {
        return new SiteWiseDestinationConfig(region, endpointOverride, addressing, Template.parse(template), properties,
                maxEntriesPerRequest, maxValuesPerEntry, requestTimeout,
                windowSamples);
    }

    public SiteWiseDestinationConfig withIds(Map<String, PropertyIds> ids) {
        return new SiteWiseDestinationConfig(region, endpointOverride, Addressing.IDS, propertyAlias, ids,
                maxEntriesPerRequest, maxValuesPerEntry, requestTimeout,
                windowSamples);
    }

    public SiteWiseDestinationConfig withRequestTimeout(Duration timeout) {
        return new SiteWiseDestinationConfig(region, endpointOverride, addressing, propertyAlias, properties,
                maxEntriesPerRequest, maxValuesPerEntry, timeout,
                windowSamples);
    }
}
