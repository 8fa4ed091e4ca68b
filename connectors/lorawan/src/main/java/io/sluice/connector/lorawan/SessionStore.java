package io.sluice.connector.lorawan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The network-server state of every configured device ({@link DeviceState}), saved to
 * {@code <state>/lorawan-sessions.json} so that joins, DevNonce histories and downlink counters survive a restart.
 *
 * <p>The file holds session keys, so it is created with mode 600 (owner read/write only, where the file system has
 * POSIX permissions). It is written like the frame counters: {@code .tmp}, forced to disk, renamed. Entries exist only
 * for devices in the config: network input never adds a device. Format (JSON):
 *
 * <pre>
 * {"devices": {"&lt;name&gt;": {"dev-eui", "joined", "dev-addr", "nwk-s-key", "app-s-key", "app-nonce", "joined-at",
 *   "joins", "fcnt-down", "dev-nonces": [..], "last-dev-nonce", "last-seen", "status-requested", "battery", "margin",
 *   "status-at"}}}
 * </pre>
 *
 * <p>The owner changes entries under its own lock; {@link #get} may be called from any thread (gauges). A change of
 * {@code last-seen} alone is saved at most once a minute.
 */
final class SessionStore {

    static final String FILE = "lorawan-sessions.json";
    private static final long LAST_SEEN_SAVE_MILLIS = 60_000;
    private static final HexFormat HEX = HexFormat.of();

    private final Path file;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, DeviceState> states = new java.util.concurrent.ConcurrentHashMap<>();
    private boolean dirty;
    private boolean seenDirty;
    private long savedAtMillis;

    SessionStore(Path stateDirectory) {
        this.file = stateDirectory == null ? null : stateDirectory.resolve(FILE);
    }

    static Path fileIn(Path stateDirectory) {
        return stateDirectory.resolve(FILE);
    }

    /**
     * Loads the file if it exists, keeping only devices for which {@code keep} is true; returns the devices read. A
     * file that is not JSON is moved aside to {@code lorawan-sessions.json.damaged-<epoch millis>} (so the next save
     * does not destroy what an operator may want to look at) and reported with an IOException.
     */
    int load(java.util.function.Predicate<String> keep) throws IOException {
        if (file == null || !Files.exists(file)) {
            return 0;
        }
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            Path aside = file.resolveSibling(FILE + ".damaged-" + System.currentTimeMillis());
            Files.move(file, aside);
            throw new IOException(FILE + " is damaged (moved to " + aside.getFileName() + "): " + e.getOriginalMessage());
        }
        int n = 0;
        for (Map.Entry<String, JsonNode> e : root.path("devices").properties()) {
            if (!keep.test(e.getKey())) {
                continue;
            }
            states.put(e.getKey(), read(e.getKey(), e.getValue()));
            n++;
        }
        return n;
    }

    /** Reads a session file without a config (for the CLI). */
    static Map<String, DeviceState> read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        Map<String, DeviceState> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : root.path("devices").properties()) {
            out.put(e.getKey(), read(e.getKey(), e.getValue()));
        }
        return out;
    }

    private static DeviceState read(String name, JsonNode n) {
        DeviceState s = new DeviceState(name);
        s.devEui = n.hasNonNull("dev-eui") ? n.get("dev-eui").asText() : null;
        s.joined = n.path("joined").asBoolean(false);
        s.devAddr = (int) Long.parseLong(n.path("dev-addr").asText("0"), 16);
        s.nwkSKey = n.hasNonNull("nwk-s-key") ? HEX.parseHex(n.get("nwk-s-key").asText()) : null;
        s.appSKey = n.hasNonNull("app-s-key") ? HEX.parseHex(n.get("app-s-key").asText()) : null;
        if (s.joined && (s.nwkSKey == null || s.nwkSKey.length != 16 || s.appSKey == null || s.appSKey.length != 16)) {
            s.joined = false;
        }
        s.appNonce = n.path("app-nonce").asInt(0);
        s.joinedAtMillis = n.path("joined-at").asLong(0);
        s.joins = n.path("joins").asLong(0);
        s.fcntDown = n.path("fcnt-down").asLong(0);
        for (JsonNode d : n.path("dev-nonces")) {
            s.devNonces.addLast(d.asInt());
        }
        s.lastDevNonce = n.path("last-dev-nonce").asInt(-1);
        s.lastSeenMillis = n.path("last-seen").asLong(0);
        s.statusRequestedMillis = n.path("status-requested").asLong(0);
        s.battery = n.path("battery").asInt(-1);
        s.margin = n.has("margin") ? n.get("margin").asInt() : DeviceState.NO_MARGIN;
        s.statusMillis = n.path("status-at").asLong(0);
        return s;
    }

    DeviceState get(String name) {
        return states.get(name);
    }

    DeviceState getOrCreate(String name) {
        return states.computeIfAbsent(name, DeviceState::new);
    }

    Collection<DeviceState> all() {
        return states.values();
    }

    void markDirty() {
        dirty = true;
    }

    void markSeen() {
        seenDirty = true;
    }

    /** The file content when something needs saving (and marks it saved), else null; cheap enough under a lock. */
    byte[] snapshotIfDirty(long nowMillis) {
        if (file == null || !(dirty || seenDirty && nowMillis - savedAtMillis >= LAST_SEEN_SAVE_MILLIS)) {
            return null;
        }
        dirty = false;
        seenDirty = false;
        savedAtMillis = nowMillis;
        return render(states);
    }

    static byte[] render(Map<String, DeviceState> states) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ObjectNode devices = root.putObject("devices");
        new TreeMap<>(states).forEach((name, s) -> {
            ObjectNode n = devices.putObject(name);
            if (s.devEui != null) n.put("dev-eui", s.devEui);
            n.put("joined", s.joined);
            n.put("dev-addr", PhyPayload.devAddrHex(s.devAddr));
            if (s.joined) {
                n.put("nwk-s-key", HEX.formatHex(s.nwkSKey));
                n.put("app-s-key", HEX.formatHex(s.appSKey));
            }
            n.put("app-nonce", s.appNonce);
            n.put("joined-at", s.joinedAtMillis);
            n.put("joins", s.joins);
            n.put("fcnt-down", s.fcntDown);
            ArrayNode nonces = n.putArray("dev-nonces");
            s.devNonces.forEach(nonces::add);
            n.put("last-dev-nonce", s.lastDevNonce);
            n.put("last-seen", s.lastSeenMillis);
            n.put("status-requested", s.statusRequestedMillis);
            n.put("battery", s.battery);
            if (s.margin != DeviceState.NO_MARGIN) n.put("margin", s.margin);
            n.put("status-at", s.statusMillis);
        });
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code content} through a {@code .tmp} file with mode 600, forced to disk, renamed over the file. */
    synchronized void write(byte[] content) throws IOException {
        if (file != null) {
            writePrivate(file, content);
        }
    }

    static void writePrivate(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
