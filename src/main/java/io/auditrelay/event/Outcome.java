package io.auditrelay.event;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Whether the audited action succeeded. */
public enum Outcome {
    SUCCESS, FAILURE, UNKNOWN;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
