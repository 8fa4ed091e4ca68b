package io.sluice.runtime.route;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GlobTest {

    @Test
    void starMatchesAnyRunIncludingNone() {
        Glob g = Glob.compile("alarms.*");
        assertTrue(g.matches("alarms."));
        assertTrue(g.matches("alarms.boiler.high"));
        assertFalse(g.matches("alarms"));
        assertFalse(g.matches("x.alarms.y"), "a glob matches the whole name, not a part of it");
        assertTrue(Glob.compile("*").matches(""));
        assertTrue(Glob.compile("*.temp").matches(".temp"));
        assertTrue(Glob.compile("a*b*c").matches("abc"));
        assertTrue(Glob.compile("a*b*c").matches("a-b-b-c"));
        assertFalse(Glob.compile("a*b*c").matches("a-b-c-d"));
        assertTrue(Glob.compile("**").matches("anything"));
    }

    @Test
    void questionMarkMatchesExactlyOneCharacter() {
        Glob g = Glob.compile("line?.speed");
        assertTrue(g.matches("line1.speed"));
        assertFalse(g.matches("line.speed"));
        assertFalse(g.matches("line12.speed"));
        assertTrue(Glob.compile("???").matches("abc"));
        assertFalse(Glob.compile("???").matches("ab"));
    }

    @Test
    void everyOtherCharacterIsLiteralNotARegularExpression() {
        assertFalse(Glob.compile("a.b").matches("axb"), "a dot is a dot");
        assertTrue(Glob.compile("a.b").matches("a.b"));
        assertTrue(Glob.compile("ns=2;s=[Line](1)+$").matches("ns=2;s=[Line](1)+$"));
        assertFalse(Glob.compile("[ab]").matches("a"), "brackets are no character class");
        assertTrue(Glob.compile("a\\E*").matches("a\\Exyz"), "a quote terminator in a tag name stays literal");
        assertTrue(Glob.compile("x|y").matches("x|y"));
        assertFalse(Glob.compile("x|y").matches("x"));
        assertTrue(Glob.compile("Ü*ß").matches("Überfluß"));
    }

    @Test
    void matchingIsCaseSensitive() {
        assertFalse(Glob.compile("Temp*").matches("temp1"));
    }

    @Test
    void wildcardsMatchLineBreaksInNamesToo() {
        // a structured OPC UA browse name or a device string may carry one; "any run of characters" means any
        assertTrue(Glob.compile("a*").matches("a\nb"));
        assertTrue(Glob.compile("a?b").matches("a\nb"));
        assertTrue(Glob.compile("a*").matches("a\r\u2028b"));
    }

    @Test
    void anEmptyOrMissingGlobIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Glob.compile(""));
        assertThrows(IllegalArgumentException.class, () -> Glob.compile(null));
    }
}
