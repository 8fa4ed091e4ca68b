package io.sluice.connector.opcda;

import io.sluice.connector.opcda.OpcDaServerSession.BrowseDirection;
import io.sluice.connector.opcda.OpcDaServerSession.BrowseType;
import io.sluice.connector.opcda.OpcDaServerSession.Browser;
import io.sluice.connector.opcda.OpcDaServerSession.Namespace;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Walks a server's address space through {@link Browser}: flat (one OPC_FLAT call) or hierarchical (descend
 * branches with ChangeBrowsePosition DOWN/UP, list leaves, turn each into a full ItemID with GetItemID). Used by the
 * connector's browse rules and by {@code sluice opcda browse}.
 */
public final class AddressSpaceWalker {

    /** Receives what the walk finds; return false from any method to stop the walk. */
    public interface Visitor {
        boolean branch(List<String> path, String name);

        boolean leaf(List<String> path, String name, String itemId);
    }

    /** The ItemIDs a browse rule selects, and whether max-items cut the list short. */
    public record Selection(List<String> itemIds, boolean truncated, int skippedByFilter) {}

    private AddressSpaceWalker() {}

    /**
     * Walks from {@code startPath} (branch names from the root). {@code mode} AUTO asks the server for its
     * organization. Returns normally when the visitor stops the walk.
     */
    public static void walk(Browser browser, List<String> startPath, OpcDaConnectorConfig.BrowseMode mode, String filter,
                            int maxDepth, Visitor visitor) {
        Namespace ns = switch (mode) {
            case FLAT -> Namespace.FLAT;
            case HIERARCHICAL -> Namespace.HIERARCHICAL;
            case AUTO -> browser.organization();
        };
        String leafFilter = filter == null ? "" : filter;
        if (ns == Namespace.FLAT) {
            for (String id : browser.browse(BrowseType.FLAT, leafFilter)) {
                if (!visitor.leaf(List.of(), id, id)) return;
            }
            return;
        }
        toRoot(browser);
        List<String> path = new ArrayList<>();
        for (String branch : startPath) {
            browser.changePosition(BrowseDirection.DOWN, branch);
            path.add(branch);
        }
        descend(browser, path, leafFilter, maxDepth, visitor);
    }

    /** OPC_BROWSE_TO "" (DA 2.0); DA 1.0 servers only know UP, so climb until the server refuses. */
    static void toRoot(Browser browser) {
        try {
            browser.changePosition(BrowseDirection.TO, "");
        } catch (OpcDaException e) {
            if (e.connectionLost()) throw e;
            for (int i = 0; i < 64; i++) {
                try {
                    browser.changePosition(BrowseDirection.UP, "");
                } catch (OpcDaException up) {
                    if (up.connectionLost()) throw up;
                    return;
                }
            }
        }
    }

    private static boolean descend(Browser browser, List<String> path, String filter, int depthLeft, Visitor visitor) {
        List<String> here = List.copyOf(path);
        for (String leaf : browser.browse(BrowseType.LEAF, filter)) {
            if (!visitor.leaf(here, leaf, browser.itemId(leaf))) return false;
        }
        if (depthLeft <= 0) return true;
        for (String branch : browser.browse(BrowseType.BRANCH, "")) {
            if (!visitor.branch(here, branch)) return false;
            browser.changePosition(BrowseDirection.DOWN, branch);
            path.add(branch);
            boolean go = descend(browser, path, filter, depthLeft - 1, visitor);
            path.remove(path.size() - 1);
            browser.changePosition(BrowseDirection.UP, "");
            if (!go) return false;
        }
        return true;
    }

    /** Applies a browse rule: walk, keep ItemIDs matching include and not exclude, stop at max-items. */
    public static Selection select(Browser browser, OpcDaConnectorConfig.Browse rule) {
        Pattern include = Pattern.compile(rule.include());
        Pattern exclude = rule.exclude().map(Pattern::compile).orElse(null);
        List<String> ids = new ArrayList<>();
        boolean[] truncated = {false};
        int[] skipped = {0};
        walk(browser, rule.path() == null ? List.of() : rule.path(), rule.mode(), rule.filter(), rule.maxDepth(), new Visitor() {
            @Override
            public boolean branch(List<String> path, String name) {
                return true;
            }

            @Override
            public boolean leaf(List<String> path, String name, String itemId) {
                if (!include.matcher(itemId).matches() || (exclude != null && exclude.matcher(itemId).matches())) {
                    skipped[0]++;
                    return true;
                }
                if (ids.size() >= rule.maxItems()) {
                    truncated[0] = true;
                    return false;
                }
                ids.add(itemId);
                return true;
            }
        });
        return new Selection(List.copyOf(ids), truncated[0], skipped[0]);
    }
}
