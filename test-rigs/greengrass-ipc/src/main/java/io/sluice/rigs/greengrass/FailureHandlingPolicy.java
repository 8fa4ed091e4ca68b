package io.sluice.rigs.greengrass;

/** What a failed deployment does, as a deployment's {@code failureHandlingPolicy} asks. */
public enum FailureHandlingPolicy {
    /** Undo the deployment: the component's process is stopped and its previous configuration restored. */
    ROLLBACK,
    /** Leave the failed component as it is (ERRORED). The real nucleus would also restart it, up to BROKEN. */
    DO_NOTHING
}
