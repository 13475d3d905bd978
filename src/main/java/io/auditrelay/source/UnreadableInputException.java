package io.auditrelay.source;

/** A whole input (file, object) that cannot be read: wrong header, bad gzip, binary content. */
public class UnreadableInputException extends RuntimeException {

    public UnreadableInputException(String message) {
        super(message);
    }

    public UnreadableInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
