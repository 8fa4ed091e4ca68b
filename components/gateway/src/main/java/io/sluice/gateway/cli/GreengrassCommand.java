package io.sluice.gateway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sluice.gateway.greengrass.ComponentConfiguration;
import io.sluice.runtime.config.ConfigLoader;
import io.sluice.runtime.config.ConfigProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice greengrass ...}: helpers for running the gateway as the Greengrass component. */
@Command(name = "greengrass", mixinStandardHelpOptions = true,
        description = "Helpers for deploying the gateway as the Greengrass component " + GreengrassDeployment.COMPONENT + ".",
        subcommands = {GreengrassCommand.Deployment.class})
final class GreengrassCommand {

    @Command(name = "deployment", mixinStandardHelpOptions = true,
            description = {"Prints a deployment document (for `aws greengrassv2 create-deployment --cli-input-json`) whose "
                    + "configuration merge is the config and whose accessControl allows exactly the topic prefixes its "
                    + "destinations publish to (PublishToIoTCore for iotcore with transport greengrass-ipc, PublishToTopic "
                    + "for greengrass-pubsub).",
                    "The config is validated first (exit code 2 when invalid)."},
            footer = {"", "Example:",
                    "  sluice greengrass deployment --config gateway.yaml --component-version 1.2.0 \\",
                    "      --target-arn arn:aws:iot:eu-central-1:123456789012:thinggroup/press-shop > deployment.json"})
    static final class Deployment implements Callable<Integer> {

        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
                description = "The gateway config, or a component configuration (with jvmOptions).")
        Path config;

        @Option(names = "--component-version", paramLabel = "V",
                description = "Version of " + GreengrassDeployment.COMPONENT + " to deploy (default: this sluice's version).")
        String componentVersion;

        @Option(names = "--target-arn", paramLabel = "ARN", description = "The thing or thing group to deploy to.")
        String targetArn;

        @Option(names = "--deployment-name", paramLabel = "NAME", defaultValue = "sluice",
                description = "Name of the deployment (default ${DEFAULT-VALUE}).")
        String deploymentName;

        @Override
        public Integer call() throws Exception {
            ConfigLoader.Report report = ConfigLoader.standard().ignoringTopLevelKeys(ComponentConfiguration.RECIPE_KEYS)
                    .checkFile(config);
            if (!report.problems().isEmpty()) {
                ExitCodes.printProblems(report.problems(), System.err);
                return ExitCodes.CONFIG;
            }
            String version = componentVersion != null ? componentVersion : SluiceCli.class.getPackage().getImplementationVersion();
            if (version == null) {
                System.err.println("sluice greengrass deployment: --component-version is required (this development build has no version)");
                return ExitCodes.CONFIG;
            }
            for (ConfigProblem w : report.warnings()) System.err.println("warning: " + w);
            String text = Files.readString(config);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(
                    document(text, version, targetArn, deploymentName)));
            return ExitCodes.OK;
        }
    }

    /** The deployment document for a config text. */
    static Map<String, Object> document(String configText, String componentVersion, String targetArn, String name) throws Exception {
        Map<String, Object> merge = new LinkedHashMap<>();
        Object loaded = new Yaml().load(configText);
        if (loaded instanceof Map<?, ?> map) map.forEach((k, v) -> merge.put(String.valueOf(k), v));
        merge.remove("accessControl");
        Map<String, Object> accessControl = GreengrassDeployment.accessControl(GreengrassDeployment.publishTopics(configText));
        if (!accessControl.isEmpty()) merge.put("accessControl", accessControl);

        Map<String, Object> update = new LinkedHashMap<>();
        // the recipe's example connectors, streams and destinations go; lists and maps would be merged key by key
        update.put("reset", List.of("/connectors", "/streams", "/routes", "/destinations", "/assets", "/accessControl"));
        update.put("merge", new ObjectMapper().writeValueAsString(merge));
        Map<String, Object> component = new LinkedHashMap<>();
        component.put("componentVersion", componentVersion);
        component.put("configurationUpdate", update);

        Map<String, Object> doc = new LinkedHashMap<>();
        if (targetArn != null) doc.put("targetArn", targetArn);
        doc.put("deploymentName", name);
        doc.put("components", Map.of(GreengrassDeployment.COMPONENT, component));
        doc.put("deploymentPolicies", Map.of(
                "failureHandlingPolicy", "ROLLBACK",
                "configurationValidationPolicy", Map.of("timeoutInSeconds", 30)));
        return doc;
    }
}
