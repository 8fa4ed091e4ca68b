package io.sluice.connector.lorawan;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A real slf4j Logger that keeps every line as {@code LEVEL message}, for tests that count log lines. */
final class RecordingLogger extends LegacyAbstractLogger {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    RecordingLogger() {
        this.name = "recording";
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    long count(String level, String containing) {
        return lines.stream().filter(l -> l.startsWith(level + " ") && l.contains(containing)).count();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
        lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, args));
    }

    @Override public boolean isTraceEnabled() { return true; }
    @Override public boolean isDebugEnabled() { return true; }
    @Override public boolean isInfoEnabled() { return true; }
    @Override public boolean isWarnEnabled() { return true; }
    @Override public boolean isErrorEnabled() { return true; }
}
