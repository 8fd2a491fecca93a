package dev.panamacnn.core.train;

import dev.panamacnn.core.layers.Variables;

/**
 * Updates parameters in place from their gradients, one step at a time, keeping its own state
 * (momentum buffers, Adam moments) by parameter name. The update formulas are PyTorch's, so a
 * step here and a step there from the same weights and gradients agree to float rounding.
 */
public interface Optimizer extends AutoCloseable {

    /** One update of every parameter that has a gradient. */
    void step(Variables params, Gradients grads);

    double learningRate();

    /** Sets the rate for the following steps (what a schedule does once per epoch). */
    void learningRate(double lr);

    /** Frees the optimizer's state. */
    @Override
    void close();
}
