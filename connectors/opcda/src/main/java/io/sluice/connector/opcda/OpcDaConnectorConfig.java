package io.sluice.connector.opcda;

import io.sluice.spi.config.DefaultValue;
import io.sluice.spi.config.Doc;
import io.sluice.spi.config.Range;
import io.sluice.spi.config.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The {@code type: opcda} connector section. See connectors/opcda/README.md for every key. */
@Doc("A classic OPC DA server (2.0x) reached over DCOM with j-Interop")
public record OpcDaConnectorConfig(
        @Doc("Host name or IP address of the Windows machine that runs the OPC DA server") String host,
        @Doc("Windows domain of the user; for a local account the server machine's name") @DefaultValue("") String domain,
        @Doc("Windows user the gateway logs on as (DCOM launch/access rights on the server)") String user,
        @Doc("The user's password; write ${env:NAME}") Secret password,
        @Doc("ProgID of the server, e.g. Matrikon.OPC.Simulation.1 (set prog-id or clsid)") Optional<String> progId,
        @Doc("CLSID of the server, e.g. {F8582CF2-88FB-11D0-B850-00C0F0104305} (set prog-id or clsid)") Optional<String> clsid,
        @Doc("How a prog-id becomes a CLSID: opcenum (ask OPCEnum on the host) or registry (remote registry over SMB)")
        @DefaultValue("opcenum") ProgIdResolution progIdResolution,
        @Doc("Upper bound of every DCOM call (connect, add items, read)") @DefaultValue("10s") Duration socketTimeout,
        @Doc("Sign and seal DCOM traffic (NTLM session security); try it on Windows hosts with the DCOM hardening of"
                + " KB5004442, see the README") @DefaultValue("false") boolean sessionSecurity,
        @Doc("subscription (IOPCDataCallback), polling (IOPCSyncIO reads at the update rate) or auto (subscribe, fall"
                + " back to polling when no callback arrives within callback-timeout)")
        @DefaultValue("auto") Acquisition acquisition,
        @Doc("In auto mode: how long to wait for the first callback of a group before polling it instead")
        @DefaultValue("15s") Duration callbackTimeout,
        @Doc("Where polling reads come from: cache (the server's cache, cheap) or device (forces a device read)")
        @DefaultValue("cache") PollSource pollSource,
        @Doc("How often the server status is checked (IOPCServer::GetStatus); a failed check reconnects")
        @DefaultValue("10s") Duration statusInterval,
        @Doc("First reconnect delay; doubles per failed attempt with jitter") @DefaultValue("1s") Duration reconnectMinDelay,
        @Doc("Longest reconnect delay") @DefaultValue("2m") Duration reconnectMaxDelay,
        @Doc("How often items that failed (bad ItemID) are retried and browse rules re-evaluated; 0s = never")
        @DefaultValue("5m") Duration itemRetryInterval,
        @Doc("Publish BAD (comm failure) samples with the last value of every item when the server is lost")
        @DefaultValue("true") boolean badOnDisconnect,
        @Doc("Locale ID passed to AddGroup (0 = server default)") @DefaultValue("0") @Range(min = 0) int localeId,
        @Doc("Time zone of VT_DATE values, which carry none (e.g. Europe/Berlin); default: the gateway JVM's zone")
        Optional<String> dateZone,
        @Doc("The groups to create on the server") List<Group> groups) {

    public enum ProgIdResolution { OPCENUM, REGISTRY }

    public enum Acquisition { SUBSCRIPTION, POLLING, AUTO }

    public enum PollSource { CACHE, DEVICE }

    /** One OPC group: items sharing an update rate, deadband and active flag. */
    public record Group(
            @Doc("Group name, unique within the connector (also the name of the group on the server)") String name,
            @Doc("Requested update rate; the server may revise it") @DefaultValue("1s") Duration updateRate,
            @Doc("Percent deadband for analog items (0 = every change)") @DefaultValue("0") @Range(min = 0, max = 100) double deadband,
            @Doc("Whether the group is active (inactive groups deliver nothing)") @DefaultValue("true") boolean active,
            @Doc("Items by ItemID") List<Item> items,
            @Doc("Items found by browsing the server's address space") List<Browse> browse) {}

    /** One item by ItemID. */
    public record Item(
            @Doc("The server's ItemID, e.g. Random.Real8") String itemId,
            @Doc("Tag name of the samples (default: the ItemID)") Optional<String> tag,
            @Doc("Access path (server specific, rarely needed)") Optional<String> accessPath,
            @Doc("Data type to request from the server; canonical = the server's own") @DefaultValue("canonical") RequestedType type,
            @Doc("Engineering unit attached to the samples") Optional<String> unit) {}

    /** A browse rule: walk (part of) the address space and add every matching leaf. */
    public record Browse(
            @Doc("Branch names from the root down to where the walk starts (empty = root)") List<String> path,
            @Doc("flat (one BrowseOPCItemIDs(OPC_FLAT) call), hierarchical (walk branches) or auto (ask the server)")
            @DefaultValue("auto") BrowseMode mode,
            @Doc("The server's own filter for leaf names (usually * and ? wildcards); empty = all") @DefaultValue("") String filter,
            @Doc("Regular expression a full ItemID must match") @DefaultValue(".*") String include,
            @Doc("Regular expression that drops matching ItemIDs") Optional<String> exclude,
            @Doc("How deep to descend below the start branch") @DefaultValue("8") @Range(min = 0, max = 64) int maxDepth,
            @Doc("Stop after this many items (protects against huge address spaces)") @DefaultValue("1000") @Range(min = 1, max = 100000) int maxItems,
            @Doc("Prefix for tag names; the tag is prefix + ItemID") @DefaultValue("") String tagPrefix,
            @Doc("Access path for the items found") Optional<String> accessPath,
            @Doc("Data type to request for the items found") @DefaultValue("canonical") RequestedType type) {}

    public enum BrowseMode { AUTO, FLAT, HIERARCHICAL }

    /** The VARTYPE requested in OPCITEMDEF. */
    public enum RequestedType {
        CANONICAL(0), BOOLEAN(11), INT8(16), UINT8(17), INT16(2), UINT16(18), INT32(3), UINT32(19),
        FLOAT32(4), FLOAT64(5), STRING(8), DATE(7);

        private final short vartype;

        RequestedType(int vartype) {
            this.vartype = (short) vartype;
        }

        public short vartype() {
            return vartype;
        }
    }
}
