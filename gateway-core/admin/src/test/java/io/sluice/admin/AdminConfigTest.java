package io.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runtime.config.AdminConfig;
import io.sluice.runtime.config.ConfigException;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.GatewayConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The admin section: defaults, when authentication is required, and what the loader refuses (with file:line:key). */
class AdminConfigTest {

    private static GatewayConfig parse(String admin) {
        return ConfigLoader.parse("""
                streams:
                  s: {}
                admin:
                %s
                """.formatted(admin.indent(2)), "g.yaml");
    }

    @Test
    void defaultsListenOnLoopbackWithoutAuthentication() {
        GatewayConfig c = ConfigLoader.parse("streams:\n  s: {}\n", "g.yaml");
        AdminConfig admin = c.admin();
        assertEquals("127.0.0.1", admin.host());
        assertEquals(9180, admin.port());
        assertFalse(admin.authenticates());
        assertEquals(Duration.ofSeconds(60), admin.readyFailingAfter());
    }

    @Test
    void autoAsksForATokenBeyondLoopbackOnly() {
        assertTrue(parse("listen: 0.0.0.0:9180").admin().usesToken());
        assertTrue(parse("listen: 192.168.1.10:9180").admin().usesToken());
        assertFalse(parse("listen: localhost:9180").admin().authenticates());
        assertFalse(parse("listen: \"[::1]:9180\"").admin().authenticates());
        assertTrue(parse("listen: 127.0.0.1:9180\nauth: token").admin().usesToken());
        assertTrue(parse("listen: off").admin().off());
    }

    @Test
    void noAuthenticationBeyondLoopbackIsAConfigErrorAtTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("listen: 0.0.0.0:9180\nauth: none"));
        String text = e.problems().get(0).toString();
        assertTrue(text.startsWith("g.yaml:5:"), text);
        assertTrue(text.contains("admin.auth") && text.contains("loopback"), text);
    }

    @Test
    void mutualTlsNeedsATrustStoreAndAMalformedListenIsNamed() {
        ConfigException tls = assertThrows(ConfigException.class, () -> parse("auth: mutual-tls"));
        assertTrue(tls.getMessage().contains("client-trust-store"), tls.getMessage());
        ConfigException listen = assertThrows(ConfigException.class, () -> parse("listen: 9180"));
        assertTrue(listen.getMessage().contains("admin.listen") && listen.getMessage().contains("host:port or off"), listen.getMessage());
    }
}
