package io.sluice.connector.simmem.layout;

import java.util.List;

/** A layout file that cannot be used; lists every problem with its key path. */
public class LayoutException extends RuntimeException {

    private final List<String> problems;

    public LayoutException(String source, List<String> problems) {
        super("invalid layout " + source + ":\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
