package io.auditrelay.event;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Whether the audited action succeeded. */
public enum Outcome {
    SUCCESS, FAILURE, UNKNOWN;

    /** The lower-case name, computed once (it is written and hashed for every event). */
    private final String value = name().toLowerCase(Locale.ROOT);

    @JsonValue
    public String value() {
        return value;
    }
}
