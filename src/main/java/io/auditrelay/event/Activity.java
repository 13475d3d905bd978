package io.auditrelay.event;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** The normalized verb of an audit event. */
public enum Activity {
    CREATE, READ, UPDATE, DELETE, LOGIN, LOGOUT, GRANT, REVOKE, ENABLE, DISABLE, OTHER;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
