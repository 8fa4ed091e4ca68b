package io.sluice.rigs.sitewise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iotsitewise.IoTSiteWiseClient;
import software.amazon.awssdk.services.iotsitewise.model.AssetPropertyValue;
import software.amazon.awssdk.services.iotsitewise.model.BatchPutAssetPropertyErrorEntry;
import software.amazon.awssdk.services.iotsitewise.model.BatchPutAssetPropertyValueResponse;
import software.amazon.awssdk.services.iotsitewise.model.InvalidRequestException;
import software.amazon.awssdk.services.iotsitewise.model.LimitExceededException;
import software.amazon.awssdk.services.iotsitewise.model.PropertyValueNullValue;
import software.amazon.awssdk.services.iotsitewise.model.PutAssetPropertyValueEntry;
import software.amazon.awssdk.services.iotsitewise.model.Quality;
import software.amazon.awssdk.services.iotsitewise.model.RawValueType;
import software.amazon.awssdk.services.iotsitewise.model.ServiceUnavailableException;
import software.amazon.awssdk.services.iotsitewise.model.ThrottlingException;
import software.amazon.awssdk.services.iotsitewise.model.TimeInNanos;
import software.amazon.awssdk.services.iotsitewise.model.Variant;

/** The stand-in spoken to by the real AWS SDK client, as the SiteWise destination does. */
@org.junit.jupiter.api.Timeout(60)
class SiteWiseStandInIT {

    private static final String TEMP = "/hamburg/press-shop/press-3/temperature";
    private static final String COUNT = "/hamburg/press-shop/press-3/count";

    private SiteWiseStandIn standIn;
    private IoTSiteWiseClient client;

    @BeforeAll
    static void quiet() {
        System.setProperty("aws.accessKeyId", "AKIDSTANDIN");
        System.setProperty("aws.secretAccessKey", "secret");
    }

    @BeforeEach
    void start() throws Exception {
        standIn = SiteWiseStandIn.start()
                .defineAlias(TEMP, ValueType.DOUBLE)
                .defineAlias(COUNT, ValueType.INTEGER)
                .defineProperty("a1b2c3d4-0000-4000-8000-000000000001", "a1b2c3d4-0000-4000-8000-000000000002", ValueType.BOOLEAN);
        client = IoTSiteWiseClient.builder()
                .region(Region.EU_CENTRAL_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSTANDIN", "secret")))
                .endpointOverride(standIn.endpoint())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        standIn.close();
    }

    private static AssetPropertyValue tqv(Variant v, Instant t, Quality q) {
        return AssetPropertyValue.builder().value(v).quality(q)
                .timestamp(TimeInNanos.builder().timeInSeconds(t.getEpochSecond()).offsetInNanos(t.getNano()).build())
                .build();
    }

    private static AssetPropertyValue dbl(double d, Instant t) {
        return tqv(Variant.builder().doubleValue(d).build(), t, Quality.GOOD);
    }

    private static PutAssetPropertyValueEntry alias(String id, String alias, AssetPropertyValue... values) {
        return PutAssetPropertyValueEntry.builder().entryId(id).propertyAlias(alias).propertyValues(values).build();
    }

    private BatchPutAssetPropertyValueResponse put(boolean partial, PutAssetPropertyValueEntry... entries) {
        return client.batchPutAssetPropertyValue(b -> b.enablePartialEntryProcessing(partial).entries(entries));
    }

    @Test
    void acceptsTheSdksRequestAndRecordsEveryValue() {
        Instant t = Instant.now().minusSeconds(5).plusNanos(123_456_789 - Instant.now().getNano());
        BatchPutAssetPropertyValueResponse r = put(false,
                alias("0", TEMP, dbl(20.5, t), dbl(21.5, t.plusMillis(1))),
                alias("1", COUNT, tqv(Variant.builder().integerValue(7).build(), t, Quality.UNCERTAIN)),
                PutAssetPropertyValueEntry.builder().entryId("2")
                        .assetId("a1b2c3d4-0000-4000-8000-000000000001").propertyId("a1b2c3d4-0000-4000-8000-000000000002")
                        .propertyValues(tqv(Variant.builder().booleanValue(true).build(), t, Quality.BAD)).build());
        assertEquals(List.of(), r.errorEntries());
        List<AcceptedValue> temp = standIn.accepted(TEMP);
        assertEquals(List.of(20.5, 21.5), temp.stream().map(AcceptedValue::value).toList());
        assertEquals(t, temp.get(0).timestamp());
        assertEquals("GOOD", temp.get(0).quality());
        AcceptedValue count = standIn.accepted(COUNT).get(0);
        assertEquals(7, count.value());
        assertEquals("UNCERTAIN", count.quality());
        AcceptedValue flag = standIn.accepted("a1b2c3d4-0000-4000-8000-000000000001/a1b2c3d4-0000-4000-8000-000000000002").get(0);
        assertEquals(true, flag.value());
        assertEquals("BAD", flag.quality());
        assertEquals(4, standIn.acceptedCount());
        assertEquals(1, standIn.requests());
    }

    @Test
    void refusesMoreThanTenEntriesOrTenValues() {
        Instant t = Instant.now();
        List<PutAssetPropertyValueEntry> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) eleven.add(alias("e" + i, TEMP, dbl(i, t.plusMillis(i))));
        InvalidRequestException tooMany = assertThrows(InvalidRequestException.class,
                () -> client.batchPutAssetPropertyValue(b -> b.entries(eleven)));
        assertEquals(400, tooMany.statusCode());
        assertTrue(tooMany.getMessage().contains("entries"), tooMany.getMessage());

        AssetPropertyValue[] values = new AssetPropertyValue[11];
        for (int i = 0; i < 11; i++) values[i] = dbl(i, t.plusMillis(i));
        assertThrows(InvalidRequestException.class, () -> put(false, alias("0", TEMP, values)));
        assertThrows(InvalidRequestException.class, () -> put(false, alias("0", TEMP, dbl(1, t)), alias("0", COUNT, dbl(1, t))),
                "duplicate entry ids");
        assertThrows(InvalidRequestException.class, () -> put(false, alias("not valid!", TEMP, dbl(1, t))));
        assertThrows(InvalidRequestException.class, () -> put(false, alias("0", TEMP,
                AssetPropertyValue.builder().value(Variant.builder().doubleValue(1.0).build()).quality("EXCELLENT")
                        .timestamp(TimeInNanos.builder().timeInSeconds(t.getEpochSecond()).build()).build())));
        assertEquals(0, standIn.acceptedCount());
        assertEquals(5, standIn.rejectedRequests());
    }

    @Test
    void reportsUnknownAliasesTypeMismatchesAndTheTimestampWindowPerEntry() {
        Instant now = Instant.now();
        BatchPutAssetPropertyValueResponse r = put(false,
                alias("ok", TEMP, dbl(1, now)),
                alias("unknown", "/nowhere", dbl(1, now)),
                alias("type", COUNT, dbl(1.5, now)),
                alias("old", TEMP, dbl(2, now.minus(Duration.ofDays(7)).minusSeconds(60)), dbl(3, now)),
                alias("ahead", TEMP, dbl(4, now.plus(Duration.ofMinutes(11)))));
        List<String> codes = new ArrayList<>();
        for (BatchPutAssetPropertyErrorEntry e : r.errorEntries()) {
            codes.add(e.entryId() + "=" + e.errors().get(0).errorCodeAsString());
        }
        assertEquals(List.of("unknown=ResourceNotFoundException", "type=InvalidRequestException",
                "old=TimestampOutOfRangeException", "ahead=TimestampOutOfRangeException"), codes);
        assertEquals(1, r.errorEntries().get(2).errors().get(0).timestamps().size());
        // without partial processing, one bad value fails its whole entry
        assertEquals(List.of(1.0), standIn.accepted(TEMP).stream().map(AcceptedValue::value).toList());

        BatchPutAssetPropertyValueResponse partial = put(true,
                alias("old", TEMP, dbl(5, now.minus(Duration.ofDays(8))), dbl(6, now.plusMillis(5))));
        assertEquals(1, partial.errorEntries().size());
        assertEquals(List.of(1.0, 6.0), standIn.accepted(TEMP).stream().map(AcceptedValue::value).toList());
        assertEquals(5, standIn.errorEntries().size());
    }

    @Test
    void injectsThrottlingOutagesAndEntryErrors() {
        Instant now = Instant.now();
        standIn.throttleNextRequests(1);
        ThrottlingException throttled = assertThrows(ThrottlingException.class, () -> put(false, alias("0", TEMP, dbl(1, now))));
        assertEquals(429, throttled.statusCode());
        standIn.unavailableNextRequests(1);
        assertEquals(503, assertThrows(ServiceUnavailableException.class, () -> put(false, alias("0", TEMP, dbl(1, now))))
                .statusCode());
        standIn.failNextEntries(TEMP, "InternalFailureException", 1);
        BatchPutAssetPropertyValueResponse r = put(false, alias("0", TEMP, dbl(1, now)), alias("1", COUNT,
                tqv(Variant.builder().integerValue(1).build(), now, Quality.GOOD)));
        assertEquals(1, r.errorEntries().size());
        assertEquals("InternalFailureException", r.errorEntries().get(0).errors().get(0).errorCodeAsString());
        assertEquals(List.of(), put(false, alias("0", TEMP, dbl(1, now))).errorEntries());
        assertEquals(2, standIn.acceptedCount());
        standIn.throttleAll(true);
        assertThrows(ThrottlingException.class, () -> put(false, alias("0", TEMP, dbl(1, now))));
        standIn.throttleAll(false);
        assertEquals(5, standIn.requests());
    }

    @Test
    void acceptUnknownAliasesFixesTheTypeOnFirstUse() {
        standIn.acceptUnknownAliases(true);
        Instant now = Instant.now();
        assertEquals(List.of(), put(false, alias("0", "/new/stream", dbl(1, now))).errorEntries());
        BatchPutAssetPropertyValueResponse r = put(false,
                alias("0", "/new/stream", tqv(Variant.builder().stringValue("x").build(), now, Quality.GOOD)));
        assertEquals("InvalidRequestException", r.errorEntries().get(0).errors().get(0).errorCodeAsString());
    }

    @Test
    void answersOtherPathsWith404() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(standIn.endpoint() + "/assets")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
        HttpResponse<String> malformed = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(standIn.endpoint() + "/properties"))
                        .POST(HttpRequest.BodyPublishers.ofString("{not json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, malformed.statusCode());
        assertEquals("InvalidRequestException", malformed.headers().firstValue("x-amzn-ErrorType").orElse(""));
    }

    private static AssetPropertyValue nul(RawValueType type, Instant t, Quality q) {
        return tqv(Variant.builder().nullValue(PropertyValueNullValue.builder().valueType(type).build()).build(), t, q);
    }

    private static String firstCode(BatchPutAssetPropertyValueResponse r) {
        return r.errorEntries().isEmpty() ? "none" : r.errorEntries().get(0).errors().get(0).errorCodeAsString();
    }

    @Test
    void acceptsANullValueOnlyWithBadOrUncertainQualityAndThePropertysType() {
        Instant now = Instant.now();
        assertEquals(List.of(), put(false, alias("0", TEMP, nul(RawValueType.D, now, Quality.BAD),
                nul(RawValueType.D, now.plusMillis(1), Quality.UNCERTAIN), dbl(1.5, now.plusMillis(2)))).errorEntries());
        List<AcceptedValue> temp = standIn.accepted(TEMP);
        assertEquals(3, temp.size());
        assertTrue(temp.get(0).isNull());
        assertNull(temp.get(0).value());
        assertEquals(ValueType.DOUBLE, temp.get(0).type());
        assertEquals("BAD", temp.get(0).quality());
        assertEquals("UNCERTAIN", temp.get(1).quality());
        assertFalse(temp.get(2).isNull());

        // GOOD (or no quality, which is GOOD) with a nullValue fails the entry; so does a null of another type
        assertEquals("InvalidRequestException", firstCode(put(false, alias("0", TEMP, nul(RawValueType.D, now.plusMillis(3), Quality.GOOD)))));
        assertEquals("InvalidRequestException", firstCode(put(false, alias("0", TEMP,
                AssetPropertyValue.builder().value(Variant.builder().nullValue(b -> b.valueType(RawValueType.D)).build())
                        .timestamp(TimeInNanos.builder().timeInSeconds(now.getEpochSecond()).offsetInNanos(4_000_000).build()).build()))));
        assertEquals("InvalidRequestException", firstCode(put(false, alias("0", COUNT, nul(RawValueType.S, now, Quality.BAD)))));
        assertEquals(3, standIn.acceptedCount());

        // with partial entry processing the good values of the entry are kept
        BatchPutAssetPropertyValueResponse partial = put(true, alias("0", TEMP,
                nul(RawValueType.D, now.plusMillis(5), Quality.GOOD), dbl(2.5, now.plusMillis(6))));
        assertEquals(1, partial.errorEntries().get(0).errors().get(0).timestamps().size());
        assertEquals(4, standIn.acceptedCount());

        // a valueType outside D, B, S, I, U fails the whole request
        assertEquals(400, assertThrows(InvalidRequestException.class, () -> put(false, alias("0", TEMP,
                tqv(Variant.builder().nullValue(b -> b.valueType("X")).build(), now, Quality.BAD)))).statusCode());
    }

    @Test
    void aDuplicateTimestampAndQualityOverwritesTheStoredValue() {
        Instant t = Instant.now().minusSeconds(1);
        put(false, alias("0", TEMP, dbl(1, t)));
        put(false, alias("0", TEMP, dbl(2, t)));
        assertEquals(List.of(2.0), standIn.accepted(TEMP).stream().map(AcceptedValue::value).toList());
        assertEquals(1, standIn.overwrites());
        // another quality at the same time is another TQV
        put(false, alias("0", TEMP, tqv(Variant.builder().doubleValue(3.0).build(), t, Quality.UNCERTAIN)));
        assertEquals(List.of(2.0, 3.0), standIn.accepted(TEMP).stream().map(AcceptedValue::value).toList());
        // a BAD null at that time and quality replaces a BAD value
        put(false, alias("0", TEMP, tqv(Variant.builder().doubleValue(4.0).build(), t, Quality.BAD)));
        put(false, alias("0", TEMP, nul(RawValueType.D, t, Quality.BAD)));
        List<AcceptedValue> temp = standIn.accepted(TEMP);
        assertEquals(3, temp.size());
        assertTrue(temp.get(2).isNull(), "replaced in place");
        assertEquals(2, standIn.overwrites());
    }

    @Test
    void refusesAllZeroIdsAndAliasesOverTheServiceLimit() {
        Instant now = Instant.now();
        String zero = "00000000-0000-0000-0000-000000000000";
        standIn.defineProperty(zero, zero, ValueType.DOUBLE);
        assertEquals(400, assertThrows(InvalidRequestException.class, () -> put(false, PutAssetPropertyValueEntry.builder()
                .entryId("0").assetId(zero).propertyId("a1b2c3d4-0000-4000-8000-000000000002")
                .propertyValues(dbl(1, now)).build())).statusCode());
        assertThrows(InvalidRequestException.class, () -> put(false, PutAssetPropertyValueEntry.builder()
                .entryId("0").assetId("a1b2c3d4-0000-4000-8000-000000000001").propertyId(zero)
                .propertyValues(dbl(1, now)).build()));

        standIn.acceptUnknownAliases(true);
        String longest = "/" + "a".repeat(SiteWiseStandIn.ALIAS_LIMIT - 1);
        assertEquals(List.of(), put(false, alias("0", longest, dbl(1, now))).errorEntries());
        InvalidRequestException tooLong = assertThrows(InvalidRequestException.class,
                () -> put(false, alias("0", longest + "a", dbl(1, now))));
        assertTrue(tooLong.getMessage().contains("propertyAlias"), tooLong.getMessage());
        assertThrows(InvalidRequestException.class, () -> put(false, alias("0", "/a\u0007b", dbl(1, now))));
        assertEquals(1, standIn.acceptedCount());
        assertEquals(4, standIn.rejectedRequests());
    }

    @Test
    void answersEveryCallWith410LimitExceededWhileTheQuotaFaultIsOn() {
        Instant now = Instant.now();
        standIn.limitExceeded(true);
        LimitExceededException e = assertThrows(LimitExceededException.class, () -> put(false, alias("0", TEMP, dbl(1, now))));
        assertEquals(410, e.statusCode());
        assertEquals("LimitExceededException", e.awsErrorDetails().errorCode());
        assertFalse(e.isThrottlingException(), "a quota is not throttling");
        assertEquals(0, standIn.acceptedCount());
        standIn.limitExceeded(false);
        assertEquals(List.of(), put(false, alias("0", TEMP, dbl(1, now))).errorEntries());
        assertEquals(1, standIn.acceptedCount());
        assertEquals(1, standIn.rejectedRequests());
    }
}
