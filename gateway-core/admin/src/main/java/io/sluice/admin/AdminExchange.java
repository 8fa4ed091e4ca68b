package io.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * One request to an admin route and its answer. A handler answers once (with {@link #json}, {@link #text} or
 * {@link #bytes}); a streaming handler (a live tail) calls {@link #stream} instead and completes the exchange
 * itself through {@link #callback()}.
 */
public final class AdminExchange {

    /** Largest request body read. */
    static final int MAX_BODY = 1024 * 1024;

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Map<String, String> pathParams;
    private final ObjectMapper json;
    private Fields query;
    private boolean answered;

    AdminExchange(Request request, Response response, Callback callback, Map<String, String> pathParams, ObjectMapper json) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.pathParams = pathParams;
        this.json = json;
    }

    public String method() {
        return request.getMethod();
    }

    public String path() {
        return request.getHttpURI().getDecodedPath();
    }

    /** A {@code {name}} placeholder's value. */
    public String pathParam(String name) {
        String v = pathParams.get(name);
        if (v == null) throw new IllegalArgumentException("no path parameter " + name);
        return v;
    }

    /** A query parameter, or null. */
    public String query(String name) {
        if (query == null) query = Request.extractQueryParameters(request);
        return query.getValue(name);
    }

    /** An integer query parameter within bounds, {@code fallback} when absent; 400 when malformed or out of range. */
    public int queryInt(String name, int fallback, int min, int max) {
        String v = query(name);
        if (v == null || v.isEmpty()) return fallback;
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw new AdminException(400, name + " must be between " + min + " and " + max + ", not " + n);
            return n;
        } catch (NumberFormatException e) {
            throw new AdminException(400, name + " must be an integer, not '" + v + "'");
        }
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    /** The request body (at most 1 MiB; 413 beyond). Blocks this admin thread until read. */
    public byte[] body() throws IOException {
        long length = request.getLength();
        if (length > MAX_BODY) throw new AdminException(413, "request body larger than " + MAX_BODY + " bytes");
        ByteBuffer buffer = Content.Source.asByteBuffer(request);
        if (buffer.remaining() > MAX_BODY) throw new AdminException(413, "request body larger than " + MAX_BODY + " bytes");
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** The request body as JSON; 400 when it is not. */
    public JsonNode bodyJson() throws IOException {
        byte[] body = body();
        if (body.length == 0) return json.createObjectNode();
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new AdminException(400, "the body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    public ObjectMapper mapper() {
        return json;
    }

    public void json(int status, Object value) throws IOException {
        bytes(status, "application/json; charset=utf-8", json.writeValueAsBytes(value));
    }

    public void text(int status, String text) {
        bytes(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public void bytes(int status, String contentType, byte[] body) {
        if (answered) throw new IllegalStateException("answered twice");
        answered = true;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /**
     * Takes the exchange over for streaming: the caller writes to {@link #response()} and completes
     * {@link #callback()} when done (or when a write fails).
     */
    public void stream() {
        if (answered) throw new IllegalStateException("answered twice");
        answered = true;
    }

    boolean answered() {
        return answered;
    }

    public Request request() {
        return request;
    }

    public Response response() {
        return response;
    }

    public Callback callback() {
        return callback;
    }
}
