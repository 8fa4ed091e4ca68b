package io.sluice.rigs.sitewise;

/** The data type of a SiteWise asset property, and the Variant member that carries it on the wire. */
public enum ValueType {
    DOUBLE("doubleValue"),
    INTEGER("integerValue"),
    BOOLEAN("booleanValue"),
    STRING("stringValue");

    private final String member;

    ValueType(String member) {
        this.member = member;
    }

    /** The JSON member name of the Variant, e.g. {@code doubleValue}. */
    public String member() {
        return member;
    }

    static ValueType ofMember(String member) {
        for (ValueType t : values()) {
            if (t.member.equals(member)) return t;
        }
        return null;
    }
}
