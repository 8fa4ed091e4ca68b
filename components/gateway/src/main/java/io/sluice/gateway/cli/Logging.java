package io.sluice.gateway.cli;

import java.util.Arrays;
import java.util.List;

/**
 * Sets up slf4j-simple before the first logger exists: timestamps, level from {@code SLUICE_LOG_LEVEL} (debug with
 * {@code --debug}), and the target stream (stderr normally; stdout in Greengrass, where the nucleus collects a
 * component's stdout).
 */
final class Logging {

    private Logging() {}

    static void configure(String[] args) {
        List<String> list = Arrays.asList(args);
        boolean greengrass = list.contains("--greengrass") || System.getenv("SVCUID") != null
                || System.getenv("AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT") != null;
        boolean quiet = !list.isEmpty() && !list.get(0).equals("run");
        String level = System.getenv().getOrDefault("SLUICE_LOG_LEVEL", list.contains("--debug") ? "debug" : quiet ? "warn" : "info");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level);
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("org.slf4j.simpleLogger.logFile", greengrass ? "System.out" : "System.err");
        // Milo and Netty are chatty at info
        boolean debug = level.equalsIgnoreCase("debug") || level.equalsIgnoreCase("trace");
        setIfAbsent("org.slf4j.simpleLogger.log.io.netty", debug ? level : "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.milo", debug ? level : "warn");
        if (!debug) {
            // The OPC UA connector reports connection and certificate errors itself, once per episode; these Milo
            // loggers log the same errors with a stack trace at ERROR on every attempt. The connector's DEBUG lines
            // carry the exception, and SLUICE_LOG_LEVEL=debug shows Milo's lines too.
            for (String logger : MILO_CONNECTION_LOGGERS) setIfAbsent("org.slf4j.simpleLogger.log." + logger, "off");
        }
    }

    /**
     * Milo loggers whose WARN/ERROR output is a connection error the OPC UA connector already reports: the client's
     * secure channel layer (Hello/Acknowledge, OpenSecureChannel, message decoding) and its session state machine
     * (keep-alive failures, activation), whose failures all reach the connector as a failed connect or a lost session.
     */
    static final List<String> MILO_CONNECTION_LOGGERS = List.of("org.eclipse.milo.opcua.stack.transport.client.uasc",
            "org.eclipse.milo.opcua.sdk.client.SessionFsm");

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
