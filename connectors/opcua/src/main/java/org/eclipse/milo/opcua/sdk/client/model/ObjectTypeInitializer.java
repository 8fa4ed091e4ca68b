package org.eclipse.milo.opcua.sdk.client.model;

import org.eclipse.milo.opcua.sdk.client.ObjectTypeManager;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;

/**
 * Takes the place of Milo's class of this name (left out of the product jar by the shade filters): Milo's registers a
 * typed node class and a constructor for each of the some 540 object types of the standard information model, which
 * {@code OpcUaClient}'s constructor does unconditionally. Sluice reads, browses and subscribes by node id and never asks
 * the client's address space for typed nodes, so nothing is registered; for the address space an object node is then a
 * plain {@code UaObjectNode}. Loading that model took about 10 MB of the resident set (docs/sizing.md).
 * {@code MiloTypeModelTest} fails when Milo's client changes, so that this is looked at again.
 */
public class ObjectTypeInitializer {

    public static void initialize(NamespaceTable namespaceTable, ObjectTypeManager objectTypeManager) {
        // nothing registered: see the class comment
    }
}
