package dev.panamacnn.core.data;

import java.io.IOException;

/** An IDX file (the MNIST format) that is malformed, truncated, or not what the caller expects. */
public final class IdxFormatException extends IOException {
    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
