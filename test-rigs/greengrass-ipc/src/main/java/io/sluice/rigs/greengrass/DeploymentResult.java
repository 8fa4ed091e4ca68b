package io.sluice.rigs.greengrass;

/**
 * What became of a deployment pushed with {@link GreengrassIpcStandIn#deploy} or
 * {@link GreengrassIpcStandIn#deployComponent}.
 *
 * @param deploymentId the id the components were asked to validate under
 * @param applied      true when the configuration was changed (accepted, or no component validates)
 * @param status       {@code ACCEPTED}, {@code REJECTED}, {@code NO_VALIDATOR} (nobody subscribed to validation) or
 *                     {@code TIMED_OUT} (the nucleus applies the change when a component does not answer in time);
 *                     for {@code deployComponent}: {@code SUCCEEDED} (the component reported RUNNING) or
 *                     {@code FAILED} (ERRORED, exited or timed out before RUNNING)
 * @param message      the component's message with its report, or null
 * @param events       configuration update events sent when applied
 */
public record DeploymentResult(String deploymentId, boolean applied, String status, String message, int events) {}
