package io.sluice.rigs.sitewise;

/** One error entry the stand-in returned: which property, which error code, which message. */
public record EntryError(String property, String errorCode, String errorMessage, long request) {}
