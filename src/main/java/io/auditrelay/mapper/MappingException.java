package io.auditrelay.mapper;

/** A vendor record that cannot be mapped; the message names the field and the problem. */
public class MappingException extends RuntimeException {

    private final String field;

    public MappingException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public MappingException(String field, String problem, Throwable cause) {
        super(field + ": " + problem, cause);
        this.field = field;
    }

    /** The record field that could not be read. */
    public String field() {
        return field;
    }
}
