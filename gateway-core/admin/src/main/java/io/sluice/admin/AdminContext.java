package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.Gateway;
import io.sluice.runtime.config.AdminConfig;

/** What a route contribution may use: the running gateway, the admin config and the shared JSON mapper. */
public interface AdminContext {

    Gateway gateway();

    AdminConfig config();

    ObjectMapper json();
}
