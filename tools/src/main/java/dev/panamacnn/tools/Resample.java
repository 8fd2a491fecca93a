package dev.panamacnn.tools;

/**
 * Resizes one plane of floats with a separable triangle (bilinear) filter whose support widens
 * by the reduction factor when shrinking, so every source pixel contributes — what PIL's
 * {@code resize(BILINEAR)} and torchvision's antialiased resize do. Pixel centres are aligned
 * ({@code align_corners=False}); the same size returns a copy.
 */
final class Resample {
    private Resample() {}

    /** {@code src} is {@code h} rows of {@code w}; the result {@code dh} rows of {@code dw}. */
    static float[] bilinear(float[] src, int w, int h, int dw, int dh) {
        if (w < 1 || h < 1 || dw < 1 || dh < 1 || src.length != (long) w * h) {
            throw new IllegalArgumentException("cannot resize " + w + "×" + h + " (" + src.length + " values) to " + dw + "×" + dh);
        }
        float[] rows = new float[h * dw]; // horizontal pass: h rows of dw
        Weights wx = Weights.of(w, dw);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < dw; x++) rows[y * dw + x] = wx.apply(src, y * w, 1, x);
        }
        float[] out = new float[dh * dw];
        Weights wy = Weights.of(h, dh);
        for (int y = 0; y < dh; y++) {
            for (int x = 0; x < dw; x++) out[y * dw + x] = wy.apply(rows, x, dw, y);
        }
        return out;
    }

    /** Per output index: the first contributing input index and the normalised weights. */
    private record Weights(int[] first, float[][] weights) {
        static Weights of(int in, int out) {
            double scale = (double) in / out, support = Math.max(1, scale);
            int[] first = new int[out];
            float[][] weights = new float[out][];
            for (int i = 0; i < out; i++) {
                double centre = (i + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(centre - support)), hi = Math.min(in, (int) Math.ceil(centre + support));
                double[] w = new double[hi - lo];
                double sum = 0;
                for (int k = lo; k < hi; k++) sum += w[k - lo] = Math.max(0, 1 - Math.abs((k + 0.5 - centre) / support));
                first[i] = lo;
                weights[i] = new float[w.length];
                for (int k = 0; k < w.length; k++) weights[i][k] = (float) (w[k] / sum);
            }
            return new Weights(first, weights);
        }

        float apply(float[] data, int base, int stride, int i) {
            float[] w = weights[i];
            float s = 0;
            for (int k = 0; k < w.length; k++) s += w[k] * data[base + (first[i] + k) * stride];
            return s;
        }
    }
}
