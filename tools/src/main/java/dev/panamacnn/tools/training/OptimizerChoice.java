package dev.panamacnn.tools.training;

import dev.panamacnn.core.train.Adam;
import dev.panamacnn.core.train.Optimizer;
import dev.panamacnn.core.train.Sgd;

/** The optimizers {@code train-mnist --optimizer} offers, each with the learning rate it defaults to. */
public enum OptimizerChoice {
    /** SGD with momentum 0.9 (PyTorch's {@code SGD(momentum=0.9)}). */
    sgd(0.02) {
        @Override
        public Optimizer create(double lr) {
            return Sgd.of(lr).momentum(MOMENTUM);
        }
    },
    /** Adam with PyTorch's default betas and ε. */
    adam(0.002) {
        @Override
        public Optimizer create(double lr) {
            return Adam.of(lr);
        }
    },
    /** AdamW (decoupled weight decay, PyTorch's default 0.01). */
    adamw(0.002) {
        @Override
        public Optimizer create(double lr) {
            return Adam.w(lr);
        }
    };

    /** SGD's momentum. */
    public static final double MOMENTUM = 0.9;

    private final double defaultLearningRate;

    OptimizerChoice(double defaultLearningRate) {
        this.defaultLearningRate = defaultLearningRate;
    }

    /** A fresh optimizer at learning rate {@code lr}; the caller closes it. */
    public abstract Optimizer create(double lr);

    /** The rate used when none is given. */
    public double defaultLearningRate() {
        return defaultLearningRate;
    }
}
