package io.auditrelay.event;

/** Exchange header names shared by routes and Java code. */
public final class Headers {

    /** The vendor a record belongs to ({@code astra}, {@code cockroachdb}, ...). */
    public static final String VENDOR = "relayVendor";
    /** The canonical event id, set by the normalize step of Kamelet Pipes (used by the sink Kamelets). */
    public static final String EVENT_ID = "relayEventId";
    /** The canonical action, set by the normalize step of Kamelet Pipes (used by the sink Kamelets). */
    public static final String ACTION = "relayAction";
    /** Where the record came from, for dead letters and logs. */
    public static final String LOCATION = "relayLocation";
    /** The sink currently handling the event. */
    public static final String SINK = "relaySink";

    private Headers() {
    }
}
