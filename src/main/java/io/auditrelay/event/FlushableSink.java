package io.auditrelay.event;

/**
 * A sink endpoint that may hold accepted events until it is flushed (batches, sends in flight). The spine flushes
 * every one it fans out to at the end of each source unit, before the unit is acknowledged.
 */
public interface FlushableSink {

    /** Makes every event the sink accepted durable (or dead-lettered); throws if it cannot. */
    void flush() throws Exception;
}
