package io.sluice.connector.opcda.dcom;

/** Interface and class identifiers from the OPC DA 2.05a, OPC Common 1.10 and OPCEnum specifications. */
final class ComIds {

    static final String IID_IOPCServer = "39C13A4D-011E-11D0-9675-0020AFD8ADB3";
    static final String IID_IOPCBrowseServerAddressSpace = "39C13A4F-011E-11D0-9675-0020AFD8ADB3";
    static final String IID_IOPCGroupStateMgt = "39C13A50-011E-11D0-9675-0020AFD8ADB3";
    static final String IID_IOPCSyncIO = "39C13A52-011E-11D0-9675-0020AFD8ADB3";
    static final String IID_IOPCItemMgt = "39C13A54-011E-11D0-9675-0020AFD8ADB3";
    static final String IID_IOPCDataCallback = "39C13A70-011E-11D0-9675-0020AFD8ADB3";
    static final String IID_IOPCCommon = "F31DFDE2-07B6-11D2-B2D8-0060083BA1FB";
    static final String IID_IOPCServerList = "13486D50-4821-11D2-A494-3CB306C10000";
    static final String IID_IEnumString = "00000101-0000-0000-C000-000000000046";
    static final String IID_IEnumGUID = "0002E000-0000-0000-C000-000000000046";

    /** OPCEnum.exe, the OPC Foundation's server browser. */
    static final String CLSID_OpcServerList = "13486D51-4821-11D2-A494-3CB306C10000";

    static final String CATID_OPCDAServer10 = "63D5F430-CFE4-11D1-B2C8-0060083BA1FB";
    static final String CATID_OPCDAServer20 = "63D5F432-CFE4-11D1-B2C8-0060083BA1FB";
    static final String CATID_OPCDAServer30 = "CC603642-66D7-48F1-B69A-B625E73652D7";

    // Method numbers below are j-Interop opnums: the position in the interface after IUnknown's three methods.
    static final int SERVER_ADD_GROUP = 0;
    static final int SERVER_GET_STATUS = 3;
    static final int SERVER_REMOVE_GROUP = 4;
    static final int COMMON_SET_CLIENT_NAME = 4;
    static final int ITEMMGT_ADD_ITEMS = 0;
    static final int ITEMMGT_REMOVE_ITEMS = 2;
    static final int GROUPSTATE_SET_STATE = 1;
    static final int SYNCIO_READ = 0;
    static final int BROWSE_QUERY_ORGANIZATION = 0;
    static final int BROWSE_CHANGE_POSITION = 1;
    static final int BROWSE_ITEM_IDS = 2;
    static final int BROWSE_GET_ITEM_ID = 3;
    static final int BROWSE_ACCESS_PATHS = 4;
    static final int ENUM_NEXT = 0;
    static final int ENUM_RESET = 2;
    static final int SERVERLIST_ENUM_CLASSES = 0;
    static final int SERVERLIST_CLASS_DETAILS = 1;
    static final int SERVERLIST_CLSID_FROM_PROGID = 2;

    private ComIds() {}
}
