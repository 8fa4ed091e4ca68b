package io.sluice.connector.opcda;

import io.sluice.spi.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The connector's view of one connected OPC DA server. Everything DCOM (j-Interop sessions, IJIComObject, JIVariant)
 * stays behind this interface in {@code io.sluice.connector.opcda.dcom}; the connector logic (groups, items,
 * reconciliation after a reconnect, polling fallback, backoff) only sees these plain types, so it is tested against
 * an in-memory implementation.
 *
 * <p>Every method may throw {@link OpcDaException}; {@link OpcDaException#connectionLost()} tells the connector the
 * session is gone and must be rebuilt. Calls block for at most the configured socket timeout.
 */
public interface OpcDaServerSession extends AutoCloseable {

    /** IOPCServer::GetStatus. */
    ServerStatus status();

    /** IOPCServer::AddGroup. */
    Group addGroup(GroupSpec spec);

    /** IOPCBrowseServerAddressSpace; throws OpcDaException when the server does not implement browsing. */
    Browser browser();

    /** Releases the server objects and the DCOM session; never throws. */
    @Override
    void close();

    /** One OPC group (IOPCItemMgt, IOPCGroupStateMgt, IOPCSyncIO and the data callback connection point). */
    interface Group {

        GroupSpec spec();

        /** The update rate the server granted (it may revise the requested one). */
        Duration revisedUpdateRate();

        /** IOPCItemMgt::AddItems; one result per definition, in order. A bad ItemID is a failed result, not an exception. */
        List<ItemResult> addItems(List<ItemDefinition> items);

        /** IOPCItemMgt::RemoveItems. */
        void removeItems(List<Integer> serverHandles);

        /** IOPCGroupStateMgt::SetState(active). */
        void setActive(boolean active);

        /** Advises IOPCDataCallback through the group's connection point. */
        void subscribe(DataListener listener);

        /** Unadvises; never throws. */
        void unsubscribe();

        /** IOPCSyncIO::Read; one state per handle, in order. */
        List<ItemState> read(DataSource source, List<Integer> serverHandles);

        /** IOPCServer::RemoveGroup; never throws. */
        void remove();
    }

    /** IOPCBrowseServerAddressSpace. The browse position is state on the server side, one browser per walk. */
    interface Browser {

        Namespace organization();

        /** ChangeBrowsePosition: UP (name ignored), DOWN into a child branch, TO a fully qualified branch ("" = root). */
        void changePosition(BrowseDirection direction, String name);

        /** BrowseOPCItemIDs at the current position with the server's own filter syntax ("" = all). */
        List<String> browse(BrowseType type, String filter);

        /** GetItemID: the fully qualified ItemID of a name at the current position. */
        String itemId(String name);

        /** BrowseAccessPaths; empty when the server has none. */
        List<String> accessPaths(String itemId);
    }

    /** Receives OnDataChange callbacks (on a DCOM thread). */
    interface DataListener {
        void onDataChange(int groupClientHandle, List<ItemState> states);
    }

    record GroupSpec(String name, boolean active, Duration updateRate, float percentDeadband, int clientHandle) {}

    /**
     * OPCITEMDEF.
     *
     * @param requestedType the VARTYPE asked for, 0 (VT_EMPTY) for the server's canonical type
     */
    record ItemDefinition(int clientHandle, String itemId, String accessPath, short requestedType, boolean active) {}

    /** OPCITEMRESULT plus its HRESULT. */
    record ItemResult(int clientHandle, int serverHandle, int error, short canonicalType, int accessRights) {
        public boolean ok() {
            return error >= 0;
        }
    }

    /**
     * One value of one item, from a callback or a read.
     *
     * @param value     the converted value, or {@code null} when the VARIANT could not be converted (see problem)
     * @param quality   the 16-bit quality word
     * @param timestamp the server's timestamp, or {@code null} when it sent none (zero FILETIME)
     * @param error     the per-item HRESULT (negative = failed)
     * @param problem   why {@code value} is null, or {@code null}
     */
    record ItemState(int clientHandle, Value value, int quality, Instant timestamp, int error, String problem) {}

    record ServerStatus(ServerState state, Instant startTime, Instant currentTime, String vendorInfo, String version, int groupCount) {}

    enum ServerState {
        RUNNING, FAILED, NOCONFIG, SUSPENDED, TEST, COMM_FAULT, UNKNOWN;

        /** OPCSERVERSTATE is 1-based. */
        public static ServerState of(int code) {
            return code >= 1 && code <= 6 ? values()[code - 1] : UNKNOWN;
        }
    }

    enum DataSource { CACHE, DEVICE }

    enum Namespace { HIERARCHICAL, FLAT }

    enum BrowseDirection { UP, DOWN, TO }

    enum BrowseType { BRANCH, LEAF, FLAT }
}
