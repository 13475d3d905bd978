package io.auditrelay.event;

/**
 * A sink could not deliver an event. {@code retryable=false} tells the shared sink error handler not to retry
 * (the sink refused it for good, or it already spent its own retry budget) and the event goes to the
 * dead-letter store; {@code status} and {@code response} (when there was a response) are recorded there.
 */
public class SinkDeliveryException extends Exception {

    private final boolean retryable;
    private final Integer status;
    private final String response;

    public SinkDeliveryException(String message, boolean retryable, Integer status, String response, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.status = status;
        this.response = response;
    }

    public boolean retryable() {
        return retryable;
    }

    /** Whether {@code error} or one of its causes is a non-retryable {@code SinkDeliveryException}. */
    public static boolean isFinal(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SinkDeliveryException e && !e.retryable()) {
                return true;
            }
        }
        return false;
    }

    /** The HTTP (or other protocol) status of the last attempt, or null. */
    public Integer status() {
        return status;
    }

    /** The response body of the last attempt, or null. */
    public String response() {
        return response;
    }
}
