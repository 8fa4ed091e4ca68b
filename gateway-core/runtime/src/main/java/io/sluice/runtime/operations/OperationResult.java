package io.sluice.runtime.operations;

/**
 * What an operator's stream or destination operation did, as the CLI prints it and the admin endpoint returns it.
 *
 * @param operation the operation ({@code purge}, {@code replay}, {@code redrive}, {@code test}, {@code pause},
 *                  {@code resume})
 * @param target    the stream or destination it acted on
 * @param samples   samples it removed, re-delivers or moved (0 for destination operations)
 * @param ok        false only for a destination test that found a problem (a failed operation throws instead)
 * @param message   one line for the operator
 */
public record OperationResult(String operation, String target, long samples, boolean ok, String message) {}
