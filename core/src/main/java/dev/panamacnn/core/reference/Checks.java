package dev.panamacnn.core.reference;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;

/** Shape checks shared by the reference kernels; messages name the op, expected and actual. */
final class Checks {
    private Checks() {}

    static void rank(String op, String what, Tensor t, int rank, String layout) {
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": " + what + " must be " + rank + "-D "
                    + layout + ", got " + t.shape());
        }
    }

    static void shape(String op, String what, Tensor t, Shape expected) {
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": " + what + " shape expected " + expected
                    + ", got " + t.shape());
        }
    }

    static void sameShape(String op, Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ, " + a.shape() + " vs "
                    + b.shape());
        }
    }
}
