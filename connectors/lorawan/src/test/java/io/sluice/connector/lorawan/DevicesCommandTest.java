package io.sluice.connector.lorawan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice lorawan devices list|show|forget} over a data directory written the way the connector writes it. */
@Timeout(20)
class DevicesCommandTest {

    static final byte[] NWK = HexFormat.of().parseHex("9c1046c5d97f82d0917cc710c66104f8");

    @TempDir
    Path data;
    Path dir;

    @BeforeEach
    void writeState() throws Exception {
        dir = data.resolve("state/connectors/site-lora");
        SessionStore store = new SessionStore(dir);
        DeviceState s = store.getOrCreate("cold-room");
        s.devEui = "70b3d57ed0001234";
        s.joined = true;
        s.devAddr = 0x26000001;
        s.nwkSKey = NWK;
        s.appSKey = NWK.clone();
        s.appNonce = 3;
        s.joins = 3;
        s.fcntDown = 7;
        s.rememberNonce(42, 10);
        s.lastSeenMillis = 1_700_000_000_000L;
        s.battery = 200;
        store.getOrCreate("pump-7").lastSeenMillis = 1_700_000_100_000L;
        store.markDirty();
        store.write(store.snapshotIfDirty(0));
        FrameCounterStore counters = new FrameCounterStore(dir);
        counters.accept("cold-room~3", 0x26000001, 55);
        counters.accept("pump-7", 0x26011f2b, 1000);
        counters.saveIfDirty();
    }

    String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new LoRaWanCliExtension().command());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void listShowsEveryDeviceWithItsCounters() {
        String[] r = run("devices", "list", "-d", data.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("cold-room"), r[1]);
        assertTrue(r[1].matches("(?s).*site-lora\\s+cold-room\\s+70b3d57ed0001234\\s+otaa\\s+26000001\\s+3\\s+55\\s+7\\s+2023-11-14T22:13:20Z\\s+200.*"), r[1]);
        assertTrue(r[1].matches("(?s).*pump-7\\s+-\\s+abp\\s+-\\s+0\\s+1000.*"), r[1]);
        assertFalse(r[1].contains(HexFormat.of().formatHex(NWK)));
    }

    @Test
    void showPrintsOneDeviceWithoutKeys() {
        String[] r = run("devices", "show", "70B3D57ED0001234", "-d", data.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("DevAddr         26000001"), r[1]);
        assertTrue(r[1].contains("Session keys    present (not shown)"), r[1]);
        assertTrue(r[1].contains("Uplink FCnt     55"), r[1]);
        assertFalse(r[1].contains(HexFormat.of().formatHex(NWK)));
        assertEquals("1", run("devices", "show", "0000000000000000", "-d", data.toString())[0]);
    }

    @Test
    void forgetDropsTheSessionOnlyWhenTheGatewayIsStopped() throws Exception {
        try (FileChannel ch = FileChannel.open(data.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = ch.lock()) {
            String[] r = run("devices", "forget", "70b3d57ed0001234", "-d", data.toString());
            assertEquals("1", r[0]);
            assertTrue(r[2].contains("stop it first"), r[2]);
        }
        String[] r = run("devices", "forget", "70b3d57ed0001234", "-d", data.toString());
        assertEquals("0", r[0], r[2]);
        assertNull(SessionStore.read(SessionStore.fileIn(dir)).get("cold-room"));
        assertTrue(SessionStore.read(SessionStore.fileIn(dir)).containsKey("pump-7"));
        assertFalse(Files.readString(dir.resolve(FrameCounterStore.FILE)).contains("cold-room"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(SessionStore.fileIn(dir))));
    }
}
