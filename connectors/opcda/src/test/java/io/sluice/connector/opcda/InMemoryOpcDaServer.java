package io.sluice.connector.opcda;

import io.sluice.spi.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one fake of this module: an in-memory OPC DA server behind the connector's own {@link OpcDaServerSession}
 * interface, because no DCOM peer can run on Linux. It behaves like a DA 2.0 server where the connector depends on
 * it: server handles are new after every restart, unknown ItemIDs fail per item, an active subscribed group gets an
 * initial callback with every item, stale sessions fail with "connection lost", browsing walks a '.'-separated tree.
 */
final class InMemoryOpcDaServer implements OpcDaSessionFactory {

    record Point(Value value, int quality, Instant timestamp) {}

    private final Map<String, Point> items = new TreeMap<>();
    private final List<FakeGroup> groups = new CopyOnWriteArrayList<>();
    private int generation = 1;
    private int nextServerHandle = 1;
    volatile boolean down;
    volatile boolean callbacksBlocked;
    volatile boolean adviseFails;
    volatile boolean browseFails;
    volatile boolean statusFails;
    /** A DA 1.0 server: no OPC_BROWSE_TO, and UP at the root fails. */
    volatile boolean da10Browse;
    /** Calls back with every added item's value from inside AddItems, like a fast server on another thread. */
    volatile boolean callbackDuringAddItems;
    /** AddGroup blocks (up to 10 s) until its session is closed from another thread, like a hung DCOM call. */
    volatile boolean hangInAddGroup;
    volatile boolean hanging;
    volatile boolean hangEndedByClose;
    OpcDaServerSession.Namespace namespace = OpcDaServerSession.Namespace.HIERARCHICAL;
    int sessionsOpened;
    int addItemsCalls;
    final List<ConnectionSettings> settingsSeen = new ArrayList<>();

    synchronized void define(String itemId, Value value, int quality, Instant ts) {
        items.put(itemId, new Point(value, quality, ts));
    }

    synchronized void remove(String itemId) {
        items.remove(itemId);
    }

    /** Changes a value and calls back every subscribed active group holding the item. */
    void set(String itemId, Value value, int quality, Instant ts) {
        List<Runnable> callbacks = new ArrayList<>();
        synchronized (this) {
            items.put(itemId, new Point(value, quality, ts));
            for (FakeGroup g : groups) {
                if (g.generation != generation || g.listener == null || !g.active || callbacksBlocked) continue;
                List<OpcDaServerSession.ItemState> states = new ArrayList<>();
                g.items.values().stream().filter(i -> i.itemId.equals(itemId))
                        .forEach(i -> states.add(new OpcDaServerSession.ItemState(i.clientHandle, value, quality, ts, 0, null)));
                if (!states.isEmpty()) {
                    var l = g.listener;
                    int h = g.spec.clientHandle();
                    callbacks.add(() -> l.onDataChange(h, states));
                }
            }
        }
        callbacks.forEach(Runnable::run);
    }

    /** The server process restarts: every session and handle becomes invalid. */
    synchronized void restart() {
        generation++;
        groups.clear();
    }

    synchronized List<FakeGroup> liveGroups() {
        return groups.stream().filter(g -> g.generation == generation).toList();
    }

    @Override
    public synchronized OpcDaServerSession open(ConnectionSettings settings) {
        settingsSeen.add(settings);
        if (down) throw lost("server unreachable");
        sessionsOpened++;
        return new Session(generation);
    }

    private static OpcDaException lost(String what) {
        return new OpcDaException(what, HResults.RPC_S_SERVER_UNAVAILABLE, true, null);
    }

    record FakeItem(int clientHandle, int serverHandle, String itemId) {}

    final class FakeGroup implements OpcDaServerSession.Group {
        final OpcDaServerSession.GroupSpec spec;
        final int generation;
        final Map<Integer, FakeItem> items = new LinkedHashMap<>();
        volatile OpcDaServerSession.DataListener listener;
        volatile boolean active;
        int reads;

        FakeGroup(OpcDaServerSession.GroupSpec spec, int generation) {
            this.spec = spec;
            this.generation = generation;
            this.active = spec.active();
        }

        private void check() {
            synchronized (InMemoryOpcDaServer.this) {
                if (down || generation != InMemoryOpcDaServer.this.generation) throw lost("RPC_S_SERVER_UNAVAILABLE");
            }
        }

        @Override public OpcDaServerSession.GroupSpec spec() { return spec; }

        @Override public Duration revisedUpdateRate() { return spec.updateRate(); }

        @Override
        public List<OpcDaServerSession.ItemResult> addItems(List<OpcDaServerSession.ItemDefinition> defs) {
            check();
            synchronized (InMemoryOpcDaServer.this) {
                addItemsCalls++;
                List<OpcDaServerSession.ItemResult> out = new ArrayList<>();
                for (var d : defs) {
                    if (!InMemoryOpcDaServer.this.items.containsKey(d.itemId())) {
                        out.add(new OpcDaServerSession.ItemResult(d.clientHandle(), 0, HResults.OPC_E_UNKNOWNITEMID, (short) 0, 0));
                        continue;
                    }
                    int sh = 1000 * generation + nextServerHandle++;
                    items.put(sh, new FakeItem(d.clientHandle(), sh, d.itemId()));
                    out.add(new OpcDaServerSession.ItemResult(d.clientHandle(), sh, 0, (short) 5, 1));
                }
                if (callbackDuringAddItems && listener != null) {
                    List<OpcDaServerSession.ItemState> early = new ArrayList<>();
                    for (var r : out) {
                        if (r.error() < 0) continue;
                        Point p = InMemoryOpcDaServer.this.items.get(items.get(r.serverHandle()).itemId);
                        early.add(new OpcDaServerSession.ItemState(r.clientHandle(), p.value(), p.quality(), p.timestamp(), 0, null));
                    }
                    if (!early.isEmpty()) listener.onDataChange(spec.clientHandle(), early);
                }
                return out;
            }
        }

        @Override
        public void removeItems(List<Integer> serverHandles) {
            check();
            synchronized (InMemoryOpcDaServer.this) {
                serverHandles.forEach(items::remove);
            }
        }

        @Override public void setActive(boolean a) { check(); active = a; }

        @Override
        public void subscribe(OpcDaServerSession.DataListener l) {
            check();
            if (adviseFails) throw new OpcDaException("Advise failed", HResults.E_ACCESSDENIED, false, null);
            listener = l;
            if (callbacksBlocked || !active) return;
            List<OpcDaServerSession.ItemState> initial = new ArrayList<>();
            synchronized (InMemoryOpcDaServer.this) {
                for (FakeItem i : items.values()) {
                    Point p = InMemoryOpcDaServer.this.items.get(i.itemId);
                    initial.add(new OpcDaServerSession.ItemState(i.clientHandle, p.value(), p.quality(), p.timestamp(), 0, null));
                }
            }
            if (!initial.isEmpty()) l.onDataChange(spec.clientHandle(), initial);
        }

        @Override public void unsubscribe() { listener = null; }

        @Override
        public List<OpcDaServerSession.ItemState> read(OpcDaServerSession.DataSource source, List<Integer> serverHandles) {
            check();
            synchronized (InMemoryOpcDaServer.this) {
                reads++;
                List<OpcDaServerSession.ItemState> out = new ArrayList<>();
                for (int h : serverHandles) {
                    FakeItem i = items.get(h);
                    if (i == null) {
                        out.add(new OpcDaServerSession.ItemState(0, null, 0, null, HResults.OPC_E_INVALIDHANDLE, "invalid handle"));
                        continue;
                    }
                    Point p = InMemoryOpcDaServer.this.items.get(i.itemId);
                    out.add(new OpcDaServerSession.ItemState(i.clientHandle, p.value(), p.quality(), p.timestamp(), 0, null));
                }
                return out;
            }
        }

        @Override
        public void remove() {
            synchronized (InMemoryOpcDaServer.this) {
                groups.remove(this);
            }
        }
    }

    final class Session implements OpcDaServerSession {
        final int generation;
        volatile boolean closed;

        Session(int generation) {
            this.generation = generation;
        }

        private void check() {
            synchronized (InMemoryOpcDaServer.this) {
                if (closed || down || generation != InMemoryOpcDaServer.this.generation) throw lost("RPC_S_SERVER_UNAVAILABLE");
            }
        }

        @Override
        public ServerStatus status() {
            check();
            if (statusFails) throw new OpcDaException("GetStatus failed", HResults.E_FAIL, false, null);
            return new ServerStatus(ServerState.RUNNING, Instant.EPOCH, Instant.EPOCH, "in-memory", "1.0.0", groups.size());
        }

        @Override
        public Group addGroup(GroupSpec spec) {
            check();
            if (hangInAddGroup) {
                hanging = true;
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!closed && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                hangEndedByClose = closed;
                throw lost("socket closed");
            }
            FakeGroup g = new FakeGroup(spec, generation);
            groups.add(g);
            return g;
        }

        @Override
        public Browser browser() {
            check();
            if (browseFails) throw new OpcDaException("no browsing", 0x80004001, false, null);
            return new FakeBrowser(this);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Browses the item IDs as a '.'-separated tree. */
    final class FakeBrowser implements OpcDaServerSession.Browser {
        private final Session session;
        private final List<String> position = new ArrayList<>();

        FakeBrowser(Session session) {
            this.session = session;
        }

        @Override public OpcDaServerSession.Namespace organization() { session.check(); return namespace; }

        @Override
        public void changePosition(OpcDaServerSession.BrowseDirection direction, String name) {
            session.check();
            switch (direction) {
                case UP -> {
                    if (position.isEmpty()) {
                        if (da10Browse) throw new OpcDaException("already at the root", 0x80004005, false, null);
                    } else {
                        position.remove(position.size() - 1);
                    }
                }
                case DOWN -> {
                    if (!children(true).contains(name)) throw new OpcDaException("no branch " + name, 0x80070057, false, null);
                    position.add(name);
                }
                case TO -> {
                    if (da10Browse) throw new OpcDaException("OPC_BROWSE_TO not supported", 0x80070057, false, null);
                    position.clear();
                    if (!name.isEmpty()) position.addAll(List.of(name.split("\\.")));
                }
            }
        }

        private List<String> children(boolean branches) {
            String prefix = position.isEmpty() ? "" : String.join(".", position) + ".";
            List<String> out = new ArrayList<>();
            synchronized (InMemoryOpcDaServer.this) {
                for (String id : items.keySet()) {
                    if (!id.startsWith(prefix)) continue;
                    String rest = id.substring(prefix.length());
                    int dot = rest.indexOf('.');
                    String child = dot < 0 ? rest : rest.substring(0, dot);
                    if ((dot >= 0) == branches && !out.contains(child)) out.add(child);
                }
            }
            return out;
        }

        @Override
        public List<String> browse(OpcDaServerSession.BrowseType type, String filter) {
            session.check();
            String regex = filter == null || filter.isEmpty() ? ".*" : filter.replace(".", "\\.").replace("*", ".*").replace("?", ".");
            List<String> names = switch (type) {
                case BRANCH -> children(true);
                case LEAF -> children(false);
                case FLAT -> {
                    synchronized (InMemoryOpcDaServer.this) {
                        yield new ArrayList<>(items.keySet());
                    }
                }
            };
            return names.stream().filter(n -> n.matches(regex)).toList();
        }

        @Override
        public String itemId(String name) {
            session.check();
            return position.isEmpty() ? name : String.join(".", position) + "." + name;
        }

        @Override public List<String> accessPaths(String itemId) { return List.of(); }
    }
}
