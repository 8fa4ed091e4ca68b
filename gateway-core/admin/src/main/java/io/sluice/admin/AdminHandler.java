package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every admin request: authentication first (when the endpoint has a token), then the route table, then the web
 * console's static files from the classpath folder {@code io/sluice/console/} ({@code /} is its
 * {@code index.html}).
 *
 * <p>With a token, a client sends {@code Authorization: Bearer <token>}. A browser opens {@code /?token=<token>}
 * once: the answer sets an HttpOnly, SameSite=Strict cookie with the token and redirects to the same page without
 * it, and the cookie authenticates the console's later requests (EventSource included).
 */
final class AdminHandler extends Handler.Abstract implements AdminRouter {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    static final String COOKIE = "sluice_admin";
    static final String CONSOLE = "io/sluice/console/";
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"), Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json; charset=utf-8"), Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"), Map.entry("ico", "image/x-icon"), Map.entry("woff2", "font/woff2"),
            Map.entry("map", "application/json; charset=utf-8"), Map.entry("txt", "text/plain; charset=utf-8"));

    private record Route(String method, String[] segments, Handler handler, String path) {}

    private final ObjectMapper json;
    private final AdminToken token;
    private final boolean secure;
    private final List<Route> routes = new ArrayList<>();

    AdminHandler(ObjectMapper json, AdminToken token, boolean secure) {
        this.json = json;
        this.token = token;
        this.secure = secure;
    }

    @Override
    public void get(String path, Handler handler) {
        add("GET", path, handler);
    }

    @Override
    public void post(String path, Handler handler) {
        add("POST", path, handler);
    }

    @Override
    public void delete(String path, Handler handler) {
        add("DELETE", path, handler);
    }

    private synchronized void add(String method, String path, Handler handler) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("a route path starts with /: " + path);
        String[] segments = path.substring(1).split("/", -1);
        for (Route r : routes) {
            if (r.method.equals(method) && String.join("/", normalized(r.segments)).equals(String.join("/", normalized(segments)))) {
                throw new IllegalStateException("two admin routes for " + method + " " + path);
            }
        }
        routes.add(new Route(method, segments, handler, path));
    }

    private static String[] normalized(String[] segments) {
        String[] out = segments.clone();
        for (int i = 0; i < out.length; i++) if (out[i].startsWith("{")) out[i] = "{}";
        return out;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        try {
            if (token != null && !authenticated(request, response, callback, path)) return true;
            String method = request.getMethod();
            boolean pathKnown = false;
            String[] parts = path.length() <= 1 ? new String[] {""} : path.substring(1).split("/", -1);
            for (Route r : routes) {
                Map<String, String> params = match(r.segments, parts);
                if (params == null) continue;
                pathKnown = true;
                if (!r.method.equals(method) && !(method.equals("HEAD") && r.method.equals("GET"))) continue;
                AdminExchange exchange = new AdminExchange(request, response, callback, params, json);
                try {
                    r.handler.handle(exchange);
                    if (!exchange.answered()) exchange.text(204, "");
                } catch (AdminException e) {
                    if (exchange.answered()) throw e;
                    error(response, callback, e.status(), e.getMessage());
                }
                return true;
            }
            if (pathKnown) {
                error(response, callback, 405, request.getMethod() + " is not allowed on " + path);
                return true;
            }
            if (method.equals("GET") || method.equals("HEAD")) {
                console(path, response, callback);
                return true;
            }
            error(response, callback, 404, "no such endpoint: " + method + " " + path);
        } catch (Exception e) {
            log.warn("admin endpoint: {} {} failed: {}", request.getMethod(), path, AdminServer.oneLine(e));
            log.debug("admin request failure", e);
            try {
                error(response, callback, 500, AdminServer.oneLine(e));
            } catch (IOException | RuntimeException ex) {
                callback.failed(e);
            }
        }
        return true;
    }

    private boolean authenticated(Request request, Response response, Callback callback, String path) throws IOException {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && token.matches(header.substring(7).trim())) return true;
        String offered = Request.extractQueryParameters(request).getValue("token");
        if (offered != null && token.matches(offered) && request.getMethod().equals("GET")) {
            HttpCookie cookie = HttpCookie.build(COOKIE, offered).path("/").httpOnly(true).secure(secure)
                    .sameSite(HttpCookie.SameSite.STRICT).build();
            Response.addCookie(response, cookie);
            Response.sendRedirect(request, response, callback, path);
            return false;
        }
        for (HttpCookie c : Request.getCookies(request)) {
            if (c.getName().equals(COOKIE) && token.matches(c.getValue())) return true;
        }
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"sluice\"");
        error(response, callback, 401, "authentication required: send Authorization: Bearer <token> (the token is in the "
                + "gateway's data directory, " + AdminToken.FILE + "), or open /?token=<token> in a browser");
        return false;
    }

    /** The placeholders of {@code pattern} matched against {@code parts}, or null when it does not match. */
    private static Map<String, String> match(String[] pattern, String[] parts) {
        if (pattern.length != parts.length) return null;
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (parts[i].isEmpty()) return null;
                params.put(p.substring(1, p.length() - 1), URLDecoder.decode(parts[i], StandardCharsets.UTF_8));
            } else if (!p.equals(parts[i])) {
                return null;
            }
        }
        return params;
    }

    private void console(String path, Response response, Callback callback) throws IOException {
        String relative = path.equals("/") || path.isEmpty() ? "index.html" : path.substring(1);
        if (relative.endsWith("/")) relative += "index.html";
        if (relative.contains("..") || relative.contains("\\") || relative.startsWith("/")) {
            error(response, callback, 404, "no such file");
            return;
        }
        ClassLoader loader = AdminHandler.class.getClassLoader();
        if (loader.getResource(CONSOLE + "index.html") == null) {
            error(response, callback, 404, "the web console is not part of this build (no " + CONSOLE + "index.html on the "
                    + "class path); the API is at /api/v1/status, metrics at /metrics");
            return;
        }
        try (InputStream in = loader.getResourceAsStream(CONSOLE + relative)) {
            if (in == null) {
                error(response, callback, 404, "no such file: " + path);
                return;
            }
            byte[] body = in.readAllBytes();
            String ext = relative.substring(relative.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPES.getOrDefault(ext, "application/octet-stream"));
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            response.getHeaders().put("X-Content-Type-Options", "nosniff");
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    private void error(Response response, Callback callback, int status, String message) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(json.writeValueAsBytes(Map.of("error", message))), callback);
    }
}
