package io.sluice.spi.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class YamlTextTest {

    @Test
    void aQuotedScalarReadsBackAsTheSameText() {
        for (String s : new String[] {"plain", "with \"quotes\"", "back\\slash", "tab\there", "ns=2;s=Line1/Temp", "°C", ""}) {
            Map<String, Object> read = new Yaml().load("k: " + YamlText.quote(s));
            assertEquals(s, read.get("k"), YamlText.quote(s));
        }
    }

    @Test
    void aNameKeepsLowerCaseLettersDigitsAndPunctuationAndFallsBackWhenEmpty() {
        assertEquals("press-line-1", YamlText.name("Press Line #1", "x"));
        assertEquals("temp.c_max", YamlText.name("--Temp.C_max--", "x"));
        assertEquals("objects", YamlText.name("///", "objects"));
    }
}
