package io.auditrelay.sink.s3;

/** A batch that could not be written to S3 within the retry budget (the reason recorded with its dead letters). */
public class S3SinkException extends RuntimeException {

    public S3SinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
