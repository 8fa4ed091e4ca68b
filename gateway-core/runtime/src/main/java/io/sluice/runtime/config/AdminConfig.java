package io.sluice.runtime.config;

import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.ExistingFile;
import io.sluice.spi.config.Pattern;
import io.sluice.spi.config.Range;
import io.sluice.spi.config.Secret;
import java.time.Duration;
import java.util.Optional;

@Doc("The local admin endpoint: Prometheus `/metrics`, `/health/live` and `/health/ready`, the status API, live "
        + "stream tails and the web console (docs/operations.md, docs/admin-api.md). On loopback it needs no "
        + "authentication; on any other address it refuses to start without a bearer token or mutual TLS.")
public record AdminConfig(
        @Doc("Where it listens, as `host:port` (`127.0.0.1:9180`, `[::1]:9180`, `0.0.0.0:9180`), or `off`.")
        @DefaultValue("127.0.0.1:9180")
        @Pattern(regex = "off|(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):\\d{1,5}", expected = "host:port or off")
        String listen,
        @Doc("How a client proves it may use the endpoint. `auto`: a bearer token when listening beyond loopback, "
                + "none on loopback. `token`: always a bearer token (`Authorization: Bearer <token>`; the token is "
                + "generated on first start into `<data>/admin.token`, mode 600). `mutual-tls`: a client certificate "
                + "signed by `tls.client-trust-store` (needs `tls`). `none`: no authentication, only allowed on loopback.")
        @DefaultValue("auto") Auth auth,
        @Doc("Serve HTTPS instead of HTTP.") Optional<AdminTls> tls,
        @Doc("Readiness (`/health/ready`) turns false when an enabled destination has been failing (cannot start, "
                + "or its calls fail) for longer than this.")
        @DefaultValue("60s") Duration readyFailingAfter,
        @Doc("Live stream tails served at once; one more is refused with 503.")
        @DefaultValue("8") @Range(min = 1, max = 256) int maxTails,
        @Doc("Samples sent to a tail client per 200 ms at most (so 1,000/s by default); a client further behind, "
                + "slow or tailing a faster stream, skips the samples in between and gets an `event: dropped` with "
                + "the count. Ingest never waits for a client.")
        @DefaultValue("200") @Range(min = 10, max = 100000) int tailBuffer) {

    public enum Auth { AUTO, TOKEN, MUTUAL_TLS, NONE }

    @Doc("TLS for the admin endpoint, from Java key stores (PKCS12 or JKS).")
    public record AdminTls(
            @Doc("Key store holding the server's certificate and private key.") @ExistingFile("key store") String keyStore,
            @Doc("Password of the key store (use `${env:NAME}` or `${file:PATH}`).") Secret keyStorePassword,
            @Doc("Trust store of the CAs whose client certificates are accepted (for `auth: mutual-tls`).")
            @ExistingFile("trust store") Optional<String> clientTrustStore,
            @Doc("Password of the client trust store.") Optional<Secret> clientTrustStorePassword) {}

    public static AdminConfig defaults() {
        return new AdminConfig("127.0.0.1:9180", Auth.AUTO, Optional.empty(), Duration.ofSeconds(60), 8, 200);
    }

    public boolean off() {
        return listen.equals("off");
    }

    /** The host part of {@code listen}, without the brackets of an IPv6 literal. */
    public String host() {
        String host = listen.substring(0, listen.lastIndexOf(':'));
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    public int port() {
        return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }

    /** Whether {@code host} is a loopback address by its spelling alone (no name lookup). */
    public static boolean isLoopback(String host) {
        return host.equalsIgnoreCase("localhost") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1")
                || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    /** Whether a client must authenticate: beyond loopback always, on loopback only when asked for. */
    public boolean authenticates() {
        return switch (auth) {
            case TOKEN, MUTUAL_TLS -> true;
            case NONE -> false;
            case AUTO -> !isLoopback(host());
        };
    }

    /** Whether the token is what authenticates (rather than a client certificate). */
    public boolean usesToken() {
        return authenticates() && auth != Auth.MUTUAL_TLS;
    }
}
