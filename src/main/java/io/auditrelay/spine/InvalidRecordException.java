package io.auditrelay.spine;

/** A record that could not be parsed or mapped; it goes to the dead-letter store with this message. */
public class InvalidRecordException extends RuntimeException {

    public InvalidRecordException(String message) {
        super(message);
    }

    public InvalidRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
