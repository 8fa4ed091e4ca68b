package io.sluice.admin;

/**
 * A contribution of endpoints to the admin server, found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.sluice.admin.AdminRoutes}). Each contribution registers its routes once, when the
 * server starts; two contributions claiming the same method and path fail the start.
 *
 * <p>Handlers run on the admin server's own small thread pool, never on an ingest thread; a handler that blocks
 * holds one of those few threads, so keep work short (or answer 503 when busy).
 */
public interface AdminRoutes {

    /** Registers this contribution's routes. */
    void register(AdminRouter router, AdminContext context);
}
