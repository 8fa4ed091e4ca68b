package io.sluice.rigs.greengrass;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * How the nucleus matches a topic against the {@code resources} of an IPC authorization policy
 * ({@code aws.greengrass.ipc.mqttproxy}, {@code aws.greengrass.ipc.pubsub}): a resource is a topic string in which
 * {@code *} matches any run of characters (including {@code /}), {@code +} matches exactly one topic level and a
 * trailing {@code #} matches the rest of the topic (MQTT wildcards, nucleus 2.6.0 and later). A resource of just
 * {@code *} allows every topic.
 */
public final class TopicPolicies {

    private TopicPolicies() {}

    /** True when any of {@code resources} allows {@code topic}. */
    public static boolean allows(Collection<String> resources, String topic) {
        return resources.stream().anyMatch(r -> matches(r, topic));
    }

    public static boolean matches(String resource, String topic) {
        if (resource.equals("*") || resource.equals("#")) {
            return true;
        }
        String[] levels = resource.split("/", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            boolean last = i == levels.length - 1;
            if (level.equals("#") && last) {
                // "a/#" matches "a" and everything below it
                if (i > 0) {
                    regex.setLength(regex.length() - 1); // drop the "/" just written
                    regex.append("(/.*)?");
                } else {
                    regex.append(".*");
                }
                break;
            }
            if (level.equals("+")) {
                regex.append("[^/]*");
            } else {
                String[] parts = level.split("\\*", -1);
                for (int p = 0; p < parts.length; p++) {
                    if (p > 0) {
                        regex.append(".*");
                    }
                    regex.append(Pattern.quote(parts[p]));
                }
            }
            if (!last) {
                regex.append('/');
            }
        }
        return Pattern.matches(regex.toString(), topic);
    }
}
