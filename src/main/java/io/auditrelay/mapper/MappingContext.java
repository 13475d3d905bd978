package io.auditrelay.mapper;

import java.time.Instant;

/**
 * What a mapper needs besides the record.
 *
 * @param received   when the relay read the record
 * @param defaultOrg the configured {@code relay.org}, used where the record names no organization (may be null)
 */
public record MappingContext(Instant received, String defaultOrg) {
}
