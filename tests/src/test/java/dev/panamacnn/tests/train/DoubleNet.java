package dev.panamacnn.tests.train;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Dropout;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Residual;
import dev.panamacnn.core.layers.Scope;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.ops.Activation;
import dev.panamacnn.core.ops.Conv2dSpec;
import dev.panamacnn.core.ops.Pool2dSpec;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * An independent double-precision forward of the trainable layers, written from the formulas,
 * for finite differences: the gradient checks perturb one value at a time by ±h and difference
 * this function. Training mode only where it matters (batch-norm uses batch statistics, dropout
 * draws the same mask as the float forward from the same {@link Scope}).
 */
final class DoubleNet {
    private DoubleNet() {}

    /** A double tensor: row-major values and dimensions. */
    record D(int[] dims, double[] v) {
        int dim(int i) {
            return dims[i];
        }

        static D zeros(int... dims) {
            return new D(dims, new double[Math.toIntExact(Shape.of(dims).size())]);
        }
    }

    /** {@code params} by full name; {@code scope} names the layer (and seeds dropout). */
    static D forward(Layer layer, Scope scope, Map<String, double[]> params, D x) {
        return switch (layer) {
            case Sequential s -> {
                D y = x;
                for (Layer.Child c : s.children()) y = forward(c.layer(), scope.child(c.name()), params, y);
                yield y;
            }
            case Residual r -> {
                D main = forward(r.body(), scope, params, x);
                D skip = r.shortcut() == null ? x : forward(r.shortcut(), scope.child(Residual.SHORTCUT), params, x);
                D y = D.zeros(main.dims());
                for (int i = 0; i < y.v().length; i++) y.v()[i] = act(r.activation(), main.v()[i] + skip.v()[i]);
                yield y;
            }
            case Conv2d c -> conv(x, params.get(scope.qualify("weight")),
                    c.bias() ? params.get(scope.qualify("bias")) : null, c.outChannels(), c.spec());
            case Linear l -> linear(x, params.get(scope.qualify("weight")),
                    l.bias() ? params.get(scope.qualify("bias")) : null, l.outFeatures());
            case BatchNorm b -> batchNorm(x, params.get(scope.qualify("weight")), params.get(scope.qualify("bias")),
                    b.eps());
            case Act a -> {
                D y = D.zeros(x.dims());
                for (int i = 0; i < y.v().length; i++) y.v()[i] = act(a.activation(), x.v()[i]);
                yield y;
            }
            case Pool2d p -> pool(x, p.spec(), p.maximum());
            case GlobalPool g -> global(x, g.maximum());
            case Flatten f -> new D(new int[] {x.dim(0), x.v().length / x.dim(0)}, x.v());
            case Dropout d -> dropout(x, d.p(), scope.random());
            default -> throw new IllegalArgumentException("no double forward for " + layer.describe());
        };
    }

    static double act(Activation a, double x) {
        return switch (a.kind()) {
            case IDENTITY -> x;
            case RELU -> Math.max(x, 0);
            case CLIP -> Math.min(Math.max(x, a.min()), a.max());
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case HARD_SIGMOID -> Math.min(1, Math.max(0, a.alpha() * x + a.beta()));
            case HARD_SWISH -> x * Math.min(1, Math.max(0, a.alpha() * x + a.beta()));
        };
    }

    static D conv(D x, double[] w, double[] b, int outC, Conv2dSpec s) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
        int oh = s.outH(h), ow = s.outW(wd), g = s.groups(), cg = c / g, og = outC / g;
        int kh = s.kernelH(), kw = s.kernelW();
        D y = D.zeros(n, outC, oh, ow);
        for (int bi = 0; bi < n; bi++)
            for (int o = 0; o < outC; o++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double acc = b == null ? 0 : b[o];
                        for (int ci = 0; ci < cg; ci++)
                            for (int p = 0; p < kh; p++)
                                for (int q = 0; q < kw; q++) {
                                    int yy = i * s.strideH() - s.padTop() + p * s.dilationH();
                                    int zz = j * s.strideW() - s.padLeft() + q * s.dilationW();
                                    if (yy < 0 || yy >= h || zz < 0 || zz >= wd) continue;
                                    int ch = o / og * cg + ci;
                                    acc += w[((o * cg + ci) * kh + p) * kw + q] * x.v()[((bi * c + ch) * h + yy) * wd + zz];
                                }
                        y.v()[((bi * outC + o) * oh + i) * ow + j] = acc;
                    }
        return y;
    }

    static D linear(D x, double[] w, double[] b, int out) {
        int n = x.dim(0), f = x.dim(1);
        D y = D.zeros(n, out);
        for (int bi = 0; bi < n; bi++)
            for (int o = 0; o < out; o++) {
                double acc = b == null ? 0 : b[o];
                for (int i = 0; i < f; i++) acc += w[o * f + i] * x.v()[bi * f + i];
                y.v()[bi * out + o] = acc;
            }
        return y;
    }

    /** Training mode: batch mean and biased variance per channel. */
    static D batchNorm(D x, double[] gamma, double[] beta, double eps) {
        int n = x.dim(0), c = x.dim(1);
        int inner = x.v().length / (n * c);
        D y = D.zeros(x.dims());
        for (int ch = 0; ch < c; ch++) {
            double sum = 0, sq = 0;
            for (int bi = 0; bi < n; bi++)
                for (int k = 0; k < inner; k++) sum += x.v()[(bi * c + ch) * inner + k];
            double mu = sum / (n * inner);
            for (int bi = 0; bi < n; bi++)
                for (int k = 0; k < inner; k++) {
                    double d = x.v()[(bi * c + ch) * inner + k] - mu;
                    sq += d * d;
                }
            double inv = 1 / Math.sqrt(sq / (n * inner) + eps);
            for (int bi = 0; bi < n; bi++)
                for (int k = 0; k < inner; k++) {
                    int at = (bi * c + ch) * inner + k;
                    y.v()[at] = gamma[ch] * (x.v()[at] - mu) * inv + beta[ch];
                }
        }
        return y;
    }

    static D pool(D x, Pool2dSpec s, boolean max) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int oh = s.outH(h), ow = s.outW(w);
        D y = D.zeros(n, c, oh, ow);
        for (int pl = 0; pl < n * c; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    int y0 = i * s.strideH() - s.padTop(), z0 = j * s.strideW() - s.padLeft();
                    int y1 = Math.min(y0 + s.kernelH(), h + s.padBottom()), z1 = Math.min(z0 + s.kernelW(), w + s.padRight());
                    double m = Double.NEGATIVE_INFINITY, sum = 0;
                    int count = 0;
                    for (int yy = Math.max(y0, 0); yy < Math.min(y1, h); yy++)
                        for (int zz = Math.max(z0, 0); zz < Math.min(z1, w); zz++) {
                            double v = x.v()[(pl * h + yy) * w + zz];
                            m = Math.max(m, v);
                            sum += v;
                            count++;
                        }
                    int divisor = s.countIncludePad() ? (y1 - y0) * (z1 - z0) : count;
                    y.v()[(pl * oh + i) * ow + j] = max ? m : sum / divisor;
                }
        return y;
    }

    static D global(D x, boolean max) {
        int n = x.dim(0), c = x.dim(1), hw = x.dim(2) * x.dim(3);
        D y = D.zeros(n, c, 1, 1);
        for (int pl = 0; pl < n * c; pl++) {
            double m = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < hw; k++) {
                m = Math.max(m, x.v()[pl * hw + k]);
                sum += x.v()[pl * hw + k];
            }
            y.v()[pl] = max ? m : sum / hw;
        }
        return y;
    }

    /** The float forward's mask: element i dropped when the i-th draw is below p. */
    static D dropout(D x, double p, RandomGenerator rng) {
        D y = D.zeros(x.dims());
        for (int i = 0; i < y.v().length; i++) y.v()[i] = rng.nextFloat() < p ? 0 : x.v()[i] / (1 - p);
        return y;
    }

    /** Mean softmax cross-entropy of logits [N, K]. */
    static double crossEntropy(D z, int[] labels) {
        int n = z.dim(0), k = z.dim(1);
        double total = 0;
        for (int bi = 0; bi < n; bi++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < k; j++) max = Math.max(max, z.v()[bi * k + j]);
            for (int j = 0; j < k; j++) sum += Math.exp(z.v()[bi * k + j] - max);
            total += Math.log(sum) + max - z.v()[bi * k + labels[bi]];
        }
        return total / n;
    }
}
