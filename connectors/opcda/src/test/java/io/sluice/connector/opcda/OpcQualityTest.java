package io.sluice.connector.opcda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.connector.opcda.OpcQuality.Limit;
import io.sluice.spi.Quality;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpcQualityTest {

    @ParameterizedTest(name = "0x{0} -> {1} sub {2} limit {3} ({4})")
    @CsvSource({
            // word, quality, substatus, limit, description
            "00, BAD, 0, NOT_LIMITED, BAD",
            "04, BAD, 1, NOT_LIMITED, BAD/CONFIG_ERROR",
            "08, BAD, 2, NOT_LIMITED, BAD/NOT_CONNECTED",
            "0C, BAD, 3, NOT_LIMITED, BAD/DEVICE_FAILURE",
            "10, BAD, 4, NOT_LIMITED, BAD/SENSOR_FAILURE",
            "14, BAD, 5, NOT_LIMITED, BAD/LAST_KNOWN_VALUE",
            "18, BAD, 6, NOT_LIMITED, BAD/COMM_FAILURE",
            "1C, BAD, 7, NOT_LIMITED, BAD/OUT_OF_SERVICE",
            "20, BAD, 8, NOT_LIMITED, BAD/WAITING_FOR_INITIAL_DATA",
            "13, BAD, 4, CONSTANT, BAD/SENSOR_FAILURE/CONSTANT",
            "40, UNCERTAIN, 0, NOT_LIMITED, UNCERTAIN",
            "44, UNCERTAIN, 1, NOT_LIMITED, UNCERTAIN/LAST_USABLE_VALUE",
            "50, UNCERTAIN, 4, NOT_LIMITED, UNCERTAIN/SENSOR_NOT_ACCURATE",
            "51, UNCERTAIN, 4, LOW_LIMITED, UNCERTAIN/SENSOR_NOT_ACCURATE/LOW_LIMITED",
            "52, UNCERTAIN, 4, HIGH_LIMITED, UNCERTAIN/SENSOR_NOT_ACCURATE/HIGH_LIMITED",
            "54, UNCERTAIN, 5, NOT_LIMITED, UNCERTAIN/EU_UNITS_EXCEEDED",
            "56, UNCERTAIN, 5, HIGH_LIMITED, UNCERTAIN/EU_UNITS_EXCEEDED/HIGH_LIMITED",
            "58, UNCERTAIN, 6, NOT_LIMITED, UNCERTAIN/SUB_NORMAL",
            "C0, GOOD, 0, NOT_LIMITED, GOOD",
            "C1, GOOD, 0, LOW_LIMITED, GOOD/LOW_LIMITED",
            "C2, GOOD, 0, HIGH_LIMITED, GOOD/HIGH_LIMITED",
            "C3, GOOD, 0, CONSTANT, GOOD/CONSTANT",
            "D8, GOOD, 6, NOT_LIMITED, GOOD/LOCAL_OVERRIDE",
            "DB, GOOD, 6, CONSTANT, GOOD/LOCAL_OVERRIDE/CONSTANT",
            "80, BAD, 0, NOT_LIMITED, NOT_USED",
            "9C, BAD, 7, NOT_LIMITED, NOT_USED/SUBSTATUS_7",
    })
    void decodesMajorSubstatusAndLimit(String hex, Quality quality, int substatus, Limit limit, String description) {
        OpcQuality q = new OpcQuality(Integer.parseInt(hex, 16));
        assertEquals(quality, q.quality());
        assertEquals(substatus, q.substatus());
        assertEquals(limit, q.limit());
        assertEquals(description, q.describe());
        assertEquals(Integer.parseInt(hex, 16), q.statusCode(), "the status code is the word itself");
    }

    @Test
    void everyWordMapsByItsMajorBitsOnly() {
        for (int w = 0; w <= 0xFFFF; w++) {
            Quality expected = switch (w & 0xC0) {
                case 0xC0 -> Quality.GOOD;
                case 0x40 -> Quality.UNCERTAIN;
                default -> Quality.BAD;
            };
            OpcQuality q = new OpcQuality(w);
            assertEquals(expected, q.quality(), "word 0x" + Integer.toHexString(w));
            assertEquals(w, q.statusCode());
            assertEquals((w >> 2) & 0xF, q.substatus());
            assertEquals(w & 3, q.limit().ordinal());
        }
    }

    @Test
    void vendorBitsAreKeptInTheStatusCode() {
        OpcQuality q = OpcQuality.of((short) 0xABC0);
        assertEquals(Quality.GOOD, q.quality());
        assertEquals(0xABC0, q.statusCode());
        assertEquals(0xAB, q.vendorBits());
        assertEquals("GOOD/vendor=0xab", q.describe());
    }

    @Test
    void signedShortFromJInteropIsReadUnsigned() {
        OpcQuality q = OpcQuality.of((short) -64); // 0xFFC0
        assertEquals(0xFFC0, q.statusCode());
        assertEquals(Quality.GOOD, q.quality());
        assertEquals("GOOD/vendor=0xff (0xFFC0)", q.toString());
    }
}
