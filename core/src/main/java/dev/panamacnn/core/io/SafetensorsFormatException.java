package dev.panamacnn.core.io;

import java.io.IOException;

/** A safetensors file that is malformed, inconsistent, or holds a dtype other than F32. */
public final class SafetensorsFormatException extends IOException {
    public SafetensorsFormatException(String message) {
        super(message);
    }
}
