package dev.panamacnn.core.train;

import dev.panamacnn.core.Tensor;

/** A forward call recorded for training: its output and the way back. */
public record Pass(Tensor output, Backward backward) {}
