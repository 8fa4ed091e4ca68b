package io.sluice.admin;

/**
 * Where routes are registered. A path is literal segments and {@code {name}} placeholders, matched whole
 * ({@code /api/v1/streams/{name}/tail}); a placeholder matches one non-empty segment, URL-decoded.
 */
public interface AdminRouter {

    /** One endpoint. Throwing {@link AdminException} answers with its status and message as JSON. */
    @FunctionalInterface
    interface Handler {
        void handle(AdminExchange exchange) throws Exception;
    }

    void get(String path, Handler handler);

    void post(String path, Handler handler);

    void delete(String path, Handler handler);
}
