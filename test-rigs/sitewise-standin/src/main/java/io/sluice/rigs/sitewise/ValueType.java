package io.sluice.rigs.sitewise;

/** The data type of a SiteWise asset property, and the Variant member that carries it on the wire. */
public enum ValueType {
    DOUBLE("doubleValue", "D"),
    INTEGER("integerValue", "I"),
    BOOLEAN("booleanValue", "B"),
    STRING("stringValue", "S");

    private final String member;
    private final String nullType;

    ValueType(String member, String nullType) {
        this.member = member;
        this.nullType = nullType;
    }

    /** The {@code nullValue.valueType} of this type, e.g. {@code D}. */
    public String nullType() {
        return nullType;
    }

    /** The type a {@code nullValue.valueType} names; null for {@code U} (not a type) and anything else. */
    static ValueType ofNullType(String valueType) {
        for (ValueType t : values()) {
            if (t.nullType.equals(valueType)) return t;
        }
        return null;
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
