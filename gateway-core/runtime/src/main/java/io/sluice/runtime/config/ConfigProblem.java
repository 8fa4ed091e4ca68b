package io.sluice.runtime.config;

/** One thing wrong with a config file, located precisely enough for an editor to jump to it. */
public record ConfigProblem(String file, int line, int column, String keyPath, String message) {

    @Override
    public String toString() {
        String where = line > 0 ? file + ":" + line + ":" + column : file;
        return where + ": " + (keyPath.isEmpty() ? "" : keyPath + ": ") + message;
    }
}
