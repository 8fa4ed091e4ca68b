package io.sluice.connector.opcda.cli;

import io.sluice.spi.config.YamlText;
import java.util.List;
import java.util.Optional;

/**
 * {@code sluice opcda browse --emit-config}: the items a browse found as a connector entry to paste under
 * {@code connectors:} — one group with an item per leaf, by fully qualified ItemID, the password by environment
 * variable. OPC DA has no standard unit attribute a browse returns, so units are left for the operator; the item's
 * browse path is a comment. Tested on a browse result (no OPC DA server runs here).
 */
final class OpcDaConfigEmitter {

    /** A leaf the browse found: its branch path and ItemID. */
    record Item(List<String> branch, String name, String itemId) {}

    /** Where the connector connects and as whom. */
    record Connection(String name, String stream, String host, String domain, String user, String passwordEnv,
                      Optional<String> progId, Optional<String> clsid, String resolution, boolean sessionSecurity) {}

    private OpcDaConfigEmitter() {}

    static String emit(String command, Connection c, String groupName, List<Item> items) {
        if (items.isEmpty()) throw new IllegalArgumentException("no items found; try another --path, --filter or a larger --max-depth");
        StringBuilder sb = new StringBuilder();
        sb.append("# written by `").append(command).append("`: ").append(items.size()).append(items.size() == 1 ? " item" : " items")
                .append(".\n# Paste under `connectors:`; stream '").append(c.stream()).append("' must be defined under `streams:`; set ")
                .append(c.passwordEnv()).append(" in the gateway's environment.\n");
        sb.append("  ").append(c.name()).append(":\n");
        sb.append("    type: opcda\n");
        sb.append("    stream: ").append(c.stream()).append('\n');
        sb.append("    host: ").append(YamlText.quote(c.host())).append('\n');
        if (!c.domain().isEmpty()) sb.append("    domain: ").append(YamlText.quote(c.domain())).append('\n');
        sb.append("    user: ").append(YamlText.quote(c.user())).append('\n');
        sb.append("    password: ${env:").append(c.passwordEnv()).append("}\n");
        c.progId().ifPresent(p -> sb.append("    prog-id: ").append(YamlText.quote(p)).append('\n'));
        c.clsid().ifPresent(p -> sb.append("    clsid: ").append(YamlText.quote(p)).append('\n'));
        sb.append("    prog-id-resolution: ").append(c.resolution()).append('\n');
        if (c.sessionSecurity()) sb.append("    session-security: true\n");
        sb.append("    groups:\n");
        sb.append("      - name: ").append(YamlText.quote(groupName)).append('\n');
        sb.append("        update-rate: 1s\n");
        sb.append("        items:\n");
        for (Item item : items) {
            String path = String.join("/", item.branch()) + (item.branch().isEmpty() ? "" : "/") + item.name();
            sb.append("          - item-id: ").append(YamlText.quote(item.itemId()));
            if (!path.equals(item.itemId())) sb.append("   # ").append(path.replace("\n", " "));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A group name from the start branch: its last name in lower case, or {@code items}. */
    static String groupName(List<String> path) {
        String last = path.isEmpty() ? "" : path.get(path.size() - 1);
        return YamlText.name(last, "items");
    }

}
