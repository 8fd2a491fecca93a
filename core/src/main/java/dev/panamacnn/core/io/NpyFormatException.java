package dev.panamacnn.core.io;

import java.io.IOException;

/** A {@code .npy} file that is malformed or holds something other than C-ordered float32. */
public final class NpyFormatException extends IOException {
    public NpyFormatException(String message) {
        super(message);
    }
}
