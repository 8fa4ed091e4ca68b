package io.sluice.connector.opcda.dcom;

import io.sluice.connector.opcda.OpcDaException;
import io.sluice.connector.opcda.OpcDaServerSession;
import io.sluice.connector.opcda.OpcDaSessionFactory.ConnectionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jinterop.dcom.core.IJIComObject;
import org.jinterop.dcom.core.JIArray;
import org.jinterop.dcom.core.JICallBuilder;
import org.jinterop.dcom.core.JIFlags;
import org.jinterop.dcom.core.JIPointer;
import org.jinterop.dcom.core.JISession;
import org.jinterop.dcom.core.JIString;
import org.jinterop.dcom.core.JIStruct;
import org.jinterop.dcom.core.JIVariant;
import org.jinterop.dcom.impls.JIObjectFactory;

/** {@link OpcDaServerSession} over j-Interop: IOPCServer and the group interfaces, called with JICallBuilder. */
final class JiServerSession implements OpcDaServerSession {

    private final JISession session;
    private final IJIComObject server;
    private final ConnectionSettings settings;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    JiServerSession(JISession session, IJIComObject server, ConnectionSettings settings) {
        this.session = session;
        this.server = server;
        this.settings = settings;
    }

    @Override
    public ServerStatus status() {
        try {
            JICallBuilder call = new JICallBuilder(true);
            call.setOpnum(ComIds.SERVER_GET_STATUS);
            call.addOutParamAsObject(new JIPointer(JiStructs.serverStatus()), JIFlags.FLAG_NULL);
            Object[] r = JiCalls.call(server, call, "IOPCServer::GetStatus");
            JIStruct s = (JIStruct) ((JIPointer) r[0]).getReferent();
            String version = (((Short) s.getMember(6)) & 0xFFFF) + "." + (((Short) s.getMember(7)) & 0xFFFF) + "."
                    + (((Short) s.getMember(8)) & 0xFFFF);
            return new ServerStatus(ServerState.of((Short) s.getMember(3)), JiStructs.instant(s.getMember(0)),
                    JiStructs.instant(s.getMember(1)), JiEnums.string(s.getMember(10)), version, (Integer) s.getMember(4));
        } catch (OpcDaException e) {
            throw e;
        } catch (Exception e) {
            throw JiCalls.wrap("IOPCServer::GetStatus", e);
        }
    }

    @Override
    public Group addGroup(GroupSpec spec) {
        try {
            JICallBuilder call = new JICallBuilder(true);
            call.setOpnum(ComIds.SERVER_ADD_GROUP);
            call.addInParamAsString(spec.name(), JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR);
            call.addInParamAsInt(spec.active() ? 1 : 0, JIFlags.FLAG_NULL);
            call.addInParamAsInt((int) Math.min(Integer.MAX_VALUE, spec.updateRate().toMillis()), JIFlags.FLAG_NULL);
            call.addInParamAsInt(spec.clientHandle(), JIFlags.FLAG_NULL);
            call.addInParamAsPointer(new JIPointer(Integer.valueOf(0)), JIFlags.FLAG_NULL);          // pTimeBias
            call.addInParamAsPointer(new JIPointer(Float.valueOf(spec.percentDeadband())), JIFlags.FLAG_NULL);
            call.addInParamAsInt(settings.localeId(), JIFlags.FLAG_NULL);
            call.addOutParamAsType(Integer.class, JIFlags.FLAG_NULL);                                // phServerGroup
            call.addOutParamAsType(Integer.class, JIFlags.FLAG_NULL);                                // pRevisedUpdateRate
            call.addInParamAsUUID(ComIds.IID_IOPCItemMgt, JIFlags.FLAG_NULL);
            call.addOutParamAsType(IJIComObject.class, JIFlags.FLAG_NULL);
            Object[] r = JiCalls.call(server, call, "IOPCServer::AddGroup(" + spec.name() + ")");
            IJIComObject group = JIObjectFactory.narrowObject((IJIComObject) r[2]);
            return new JiGroup(spec, (Integer) r[0], Duration.ofMillis(((Integer) r[1]) & 0xFFFF_FFFFL), group);
        } catch (OpcDaException e) {
            throw e;
        } catch (Exception e) {
            throw JiCalls.wrap("IOPCServer::AddGroup(" + spec.name() + ")", e);
        }
    }

    @Override
    public Browser browser() {
        try {
            return new JiBrowser(server.queryInterface(ComIds.IID_IOPCBrowseServerAddressSpace));
        } catch (Exception e) {
            OpcDaException w = JiCalls.wrap("IOPCBrowseServerAddressSpace", e);
            throw w.connectionLost() ? w : JiEnums.unsupported("browsing (IOPCBrowseServerAddressSpace)");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            JiSessionFactory.destroy(session);
        }
    }

    private final class JiGroup implements Group {
        private final GroupSpec spec;
        private final int serverHandle;
        private final Duration revisedRate;
        private final IJIComObject itemMgt;
        private volatile String cookie;

        JiGroup(GroupSpec spec, int serverHandle, Duration revisedRate, IJIComObject itemMgt) {
            this.spec = spec;
            this.serverHandle = serverHandle;
            this.revisedRate = revisedRate;
            this.itemMgt = itemMgt;
        }

        @Override
        public GroupSpec spec() {
            return spec;
        }

        @Override
        public Duration revisedUpdateRate() {
            return revisedRate;
        }

        @Override
        public List<ItemResult> addItems(List<ItemDefinition> items) {
            if (items.isEmpty()) return List.of();
            try {
                JIStruct[] defs = new JIStruct[items.size()];
                for (int i = 0; i < defs.length; i++) {
                    ItemDefinition d = items.get(i);
                    defs[i] = JiStructs.itemDef(d.accessPath(), d.itemId(), d.active(), d.clientHandle(), d.requestedType());
                }
                JICallBuilder call = new JICallBuilder(true);
                call.setOpnum(ComIds.ITEMMGT_ADD_ITEMS);
                call.addInParamAsInt(defs.length, JIFlags.FLAG_NULL);
                call.addInParamAsArray(new JIArray(defs, true), JIFlags.FLAG_NULL);
                call.addOutParamAsObject(new JIPointer(new JIArray(JiStructs.itemResult(), null, 1, true)), JIFlags.FLAG_NULL);
                call.addOutParamAsObject(new JIPointer(new JIArray(Integer.class, null, 1, true)), JIFlags.FLAG_NULL);
                Object[] r = JiCalls.call(itemMgt, call, "IOPCItemMgt::AddItems");
                Object[] results = JiCalls.arrayOf(r[0]);
                Object[] errors = JiCalls.arrayOf(r[1]);
                List<ItemResult> out = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) {
                    int error = i < errors.length ? (Integer) errors[i] : io.sluice.connector.opcda.HResults.E_FAIL;
                    JIStruct s = i < results.length ? (JIStruct) results[i] : null;
                    out.add(s == null ? new ItemResult(items.get(i).clientHandle(), 0, error, (short) 0, 0)
                            : new ItemResult(items.get(i).clientHandle(), (Integer) s.getMember(0), error,
                                    (Short) s.getMember(1), (Integer) s.getMember(3)));
                }
                return out;
            } catch (OpcDaException e) {
                throw e;
            } catch (Exception e) {
                throw JiCalls.wrap("IOPCItemMgt::AddItems", e);
            }
        }

        @Override
        public void removeItems(List<Integer> serverHandles) {
            if (serverHandles.isEmpty()) return;
            JICallBuilder call = new JICallBuilder(true);
            call.setOpnum(ComIds.ITEMMGT_REMOVE_ITEMS);
            call.addInParamAsInt(serverHandles.size(), JIFlags.FLAG_NULL);
            call.addInParamAsArray(new JIArray(serverHandles.toArray(new Integer[0]), true), JIFlags.FLAG_NULL);
            call.addOutParamAsObject(new JIPointer(new JIArray(Integer.class, null, 1, true)), JIFlags.FLAG_NULL);
            JiCalls.call(itemMgt, call, "IOPCItemMgt::RemoveItems");
        }

        @Override
        public void setActive(boolean active) {
            try {
                IJIComObject state = itemMgt.queryInterface(ComIds.IID_IOPCGroupStateMgt);
                JICallBuilder call = new JICallBuilder(true);
                call.setOpnum(ComIds.GROUPSTATE_SET_STATE);
                call.addInParamAsPointer(new JIPointer(null), JIFlags.FLAG_NULL);                   // pRequestedUpdateRate
                call.addOutParamAsType(Integer.class, JIFlags.FLAG_NULL);                           // pRevisedUpdateRate
                call.addInParamAsPointer(new JIPointer(Integer.valueOf(active ? 1 : 0)), JIFlags.FLAG_NULL);
                call.addInParamAsPointer(new JIPointer(null), JIFlags.FLAG_NULL);                   // pTimeBias
                call.addInParamAsPointer(new JIPointer(null), JIFlags.FLAG_NULL);                   // pPercentDeadband
                call.addInParamAsPointer(new JIPointer(null), JIFlags.FLAG_NULL);                   // pLCID
                call.addInParamAsPointer(new JIPointer(null), JIFlags.FLAG_NULL);                   // phClientGroup
                JiCalls.call(state, call, "IOPCGroupStateMgt::SetState");
            } catch (OpcDaException e) {
                throw e;
            } catch (Exception e) {
                throw JiCalls.wrap("IOPCGroupStateMgt::SetState", e);
            }
        }

        @Override
        public void subscribe(DataListener listener) {
            try {
                JiDataCallback callback = new JiDataCallback(listener, settings.dateZone());
                IJIComObject local = JIObjectFactory.buildObject(session, callback.coClass());
                cookie = JIObjectFactory.attachEventHandler(itemMgt, ComIds.IID_IOPCDataCallback, local);
            } catch (Exception e) {
                throw JiCalls.wrap("advising IOPCDataCallback on group " + spec.name(), e);
            }
        }

        @Override
        public void unsubscribe() {
            String c = cookie;
            cookie = null;
            if (c == null) return;
            try {
                JIObjectFactory.detachEventHandler(itemMgt, c);
            } catch (Exception e) {
                // The server may be gone; the advise dies with the session.
            }
        }

        @Override
        public List<ItemState> read(DataSource source, List<Integer> serverHandles) {
            if (serverHandles.isEmpty()) return List.of();
            try {
                IJIComObject sync = itemMgt.queryInterface(ComIds.IID_IOPCSyncIO);
                JICallBuilder call = new JICallBuilder(true);
                call.setOpnum(ComIds.SYNCIO_READ);
                call.addInParamAsShort((short) (source == DataSource.DEVICE ? 2 : 1), JIFlags.FLAG_NULL); // OPCDATASOURCE
                call.addInParamAsInt(serverHandles.size(), JIFlags.FLAG_NULL);
                call.addInParamAsArray(new JIArray(serverHandles.toArray(new Integer[0]), true), JIFlags.FLAG_NULL);
                call.addOutParamAsObject(new JIPointer(new JIArray(JiStructs.itemState(), null, 1, true)), JIFlags.FLAG_NULL);
                call.addOutParamAsObject(new JIPointer(new JIArray(Integer.class, null, 1, true)), JIFlags.FLAG_NULL);
                Object[] r = JiCalls.call(sync, call, "IOPCSyncIO::Read");
                Object[] states = JiCalls.arrayOf(r[0]);
                Object[] errors = JiCalls.arrayOf(r[1]);
                List<ItemState> out = new ArrayList<>(serverHandles.size());
                for (int i = 0; i < serverHandles.size() && i < states.length; i++) {
                    JIStruct s = (JIStruct) states[i];
                    out.add(JiDataCallback.state((Integer) s.getMember(0), (JIVariant) s.getMember(4), (Short) s.getMember(2),
                            s.getMember(1), i < errors.length ? (Integer) errors[i] : 0, settings.dateZone()));
                }
                return out;
            } catch (OpcDaException e) {
                throw e;
            } catch (Exception e) {
                throw JiCalls.wrap("IOPCSyncIO::Read", e);
            }
        }

        @Override
        public void remove() {
            unsubscribe();
            try {
                JICallBuilder call = new JICallBuilder(true);
                call.setOpnum(ComIds.SERVER_REMOVE_GROUP);
                call.addInParamAsInt(serverHandle, JIFlags.FLAG_NULL);
                call.addInParamAsInt(1, JIFlags.FLAG_NULL); // bForce
                server.call(call);
            } catch (Exception e) {
                // Removing is a courtesy: the server drops the group with the session anyway.
            }
        }
    }

    private static final class JiBrowser implements Browser {
        private final IJIComObject browse;

        JiBrowser(IJIComObject browse) {
            this.browse = browse;
        }

        @Override
        public Namespace organization() {
            JICallBuilder call = new JICallBuilder(true);
            call.setOpnum(ComIds.BROWSE_QUERY_ORGANIZATION);
            call.addOutParamAsType(Short.class, JIFlags.FLAG_NULL);
            Object[] r = JiCalls.call(browse, call, "QueryOrganization");
            return ((Short) r[0]) == 2 ? Namespace.FLAT : Namespace.HIERARCHICAL;
        }

        @Override
        public void changePosition(BrowseDirection direction, String name) {
            JICallBuilder call = new JICallBuilder(true);
            call.setOpnum(ComIds.BROWSE_CHANGE_POSITION);
            call.addInParamAsShort((short) (direction.ordinal() + 1), JIFlags.FLAG_NULL); // UP=1, DOWN=2, TO=3
            call.addInParamAsString(name == null ? "" : name, JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR);
            JiCalls.call(browse, call, "ChangeBrowsePosition(" + direction + ", " + name + ")");
        }

        @Override
        public List<String> browse(BrowseType type, String filter) {
            JICallBuilder call = new JICallBuilder(true);
            call.setOpnum(ComIds.BROWSE_ITEM_IDS);
            call.addInParamAsShort((short) (type.ordinal() + 1), JIFlags.FLAG_NULL); // BRANCH=1, LEAF=2, FLAT=3
            call.addInParamAsString(filter == null ? "" : filter, JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR);
            call.addInParamAsShort((short) 0, JIFlags.FLAG_NULL);   // vtDataTypeFilter: any
            call.addInParamAsInt(0, JIFlags.FLAG_NULL);             // dwAccessRightsFilter: any
            call.addOutParamAsType(IJIComObject.class, JIFlags.FLAG_NULL);
            Object[] r = JiCalls.call(browse, call, "BrowseOPCItemIDs");
            if (r == null || r[0] == null) return List.of();
            return JiEnums.strings(OpcEnumClient.narrow((IJIComObject) r[0]));
        }

        @Override
        public String itemId(String name) {
            JICallBuilder call = new JICallBuilder(true);
            call.setOpnum(ComIds.BROWSE_GET_ITEM_ID);
            call.addInParamAsString(name, JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR);
            call.addOutParamAsObject(new JIPointer(new JIString(JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR)), JIFlags.FLAG_NULL);
            Object[] r = JiCalls.call(browse, call, "GetItemID(" + name + ")");
            return JiEnums.string(r[0]);
        }

        @Override
        public List<String> accessPaths(String itemId) {
            JICallBuilder call = new JICallBuilder(true);
            call.setOpnum(ComIds.BROWSE_ACCESS_PATHS);
            call.addInParamAsString(itemId, JIFlags.FLAG_REPRESENTATION_STRING_LPWSTR);
            call.addOutParamAsType(IJIComObject.class, JIFlags.FLAG_NULL);
            try {
                Object[] r = JiCalls.call(browse, call, "BrowseAccessPaths(" + itemId + ")");
                if (r == null || r[0] == null) return List.of();
                return JiEnums.strings(OpcEnumClient.narrow((IJIComObject) r[0]));
            } catch (OpcDaException e) {
                if (e.connectionLost()) throw e;
                return List.of(); // E_NOTIMPL on most servers: no access paths
            }
        }
    }

}
