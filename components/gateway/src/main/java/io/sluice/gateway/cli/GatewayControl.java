package io.sluice.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.DataDirectoryLock;
import io.sluice.spi.SluiceException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How an operator command reaches a gateway: a running one (it holds its data directory's lock) through its admin
 * endpoint, found in {@code <data>/admin.json}; a stopped one by opening its data directory (the command's own
 * business). A running gateway without a reachable endpoint is refused with one line, never operated on behind its
 * back.
 */
final class GatewayControl {

    static final String ADDRESS_FILE = "admin.json";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private GatewayControl() {}

    /** Whether a gateway runs on {@code data} now. */
    static boolean running(Path data) {
        return DataDirectoryLock.probe(data) == DataDirectoryLock.State.HELD;
    }

    /** Who runs a command, for the gateway's log line of the operation. */
    static String actor() {
        return "cli user=" + System.getProperty("user.name", "?");
    }

    /** Whether the running gateway on {@code data} has written where its admin endpoint listens. */
    static boolean hasAdminEndpoint(Path data) {
        return Files.exists(data.resolve(ADDRESS_FILE));
    }

    /** POSTs {@code body} to the running gateway's admin endpoint; its JSON answer, or a one-line failure. */
    static JsonNode post(Path data, String path, Map<String, ?> body) {
        return call(data, path, body);
    }

    /** GETs {@code path} from the running gateway's admin endpoint; its JSON answer, or a one-line failure. */
    static JsonNode get(Path data, String path) {
        return call(data, path, null);
    }

    /** A POST of {@code body}, or a GET when it is null. */
    private static JsonNode call(Path data, String path, Map<String, ?> body) {
        JsonNode address;
        try {
            address = JSON.readTree(Files.readAllBytes(data.resolve(ADDRESS_FILE)));
        } catch (NoSuchFileException e) {
            throw new SluiceException("a gateway runs on " + data + " but has no admin endpoint (admin.listen: off, or it is still"
                    + " starting); turn the endpoint on, or stop the gateway to operate on its data directory", false);
        } catch (IOException e) {
            throw new SluiceException("cannot read " + data.resolve(ADDRESS_FILE) + ": " + e.getMessage(), false, e);
        }
        String url = address.path("url").asText();
        String auth = address.path("auth").asText("none");
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url + path)).timeout(TIMEOUT);
            if (body != null) {
                request.header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new SluiceException("cannot call " + url + path + ": " + e.getMessage(), false, e);
        }
        if (auth.equals("token")) {
            Path tokenFile = Path.of(address.path("tokenFile").asText());
            try {
                request.header("Authorization", "Bearer " + Files.readString(tokenFile, StandardCharsets.UTF_8).trim());
            } catch (IOException e) {
                throw new SluiceException("cannot read the admin token " + tokenFile + " (" + e.getMessage()
                        + "); run as a user who may read it", false, e);
            }
        } else if (!auth.equals("none")) {
            throw new SluiceException("the admin endpoint at " + url + " wants " + auth + " authentication, which this command"
                    + " cannot give; call " + (body == null ? "GET " : "POST ") + path + " with a client that can", false);
        }
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SluiceException("cannot reach the gateway's admin endpoint at " + url + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); the gateway holds " + data
                    + ", so it is not operated on directly: try again, or stop the gateway first", true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("interrupted", true, e);
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            answer = null;
        }
        if (response.statusCode() != 200) {
            String error = answer != null && answer.has("error") ? answer.get("error").asText() : "HTTP " + response.statusCode();
            throw new SluiceException(error, response.statusCode() == 503);
        }
        if (answer == null) throw new SluiceException("the admin endpoint answered no JSON", false);
        return answer;
    }
}
