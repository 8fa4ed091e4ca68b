package org.eclipse.milo.opcua.sdk.client.model;

import org.eclipse.milo.opcua.sdk.client.VariableTypeManager;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;

/**
 * Takes the place of Milo's class of this name, for the variable types of the standard information model: see
 * {@link ObjectTypeInitializer}. For the address space a variable node is then a plain {@code UaVariableNode}.
 */
public class VariableTypeInitializer {

    public static void initialize(NamespaceTable namespaceTable, VariableTypeManager variableTypeManager) {
        // nothing registered: see ObjectTypeInitializer
    }
}
