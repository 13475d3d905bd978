package io.auditrelay.spine;

/** Exchange header names shared by routes and Java code. */
public final class Headers {

    /** The vendor a record belongs to ({@code astra}, {@code cockroachdb}, ...). */
    public static final String VENDOR = "relayVendor";
    /** Where the record came from, for dead letters and logs. */
    public static final String LOCATION = "relayLocation";
    /** The sink currently handling the event. */
    public static final String SINK = "relaySink";

    private Headers() {
    }
}
