// Per-channel affine map (batch-norm that could not be folded) and softmax.

// y = clamp(x * scale[c] + shift[c]) with c = axis 1; params holds scale[C] then shift[C].
__kernel void affine(__global float* ws, __global const float* restrict params,
                     const int xOff, const int yOff, const int total, const int C, const int inner,
                     const int act, const float lo, const float hi)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    const int c = (i / inner) % C;
    const float v = (float) ((real_t) ws[xOff + i] * params[c] + params[C + c]);
    ws[yOff + i] = activate(v, act, lo, hi);
}

// Softmax along an axis of length len with stride inner: one work-item per (outer, inner) line,
// max subtracted first so exponents stay <= 0.
__kernel void softmax(__global float* ws, const int xOff, const int yOff, const int lines,
                      const int len, const int inner)
{
    const int l = get_global_id(0);
    if (l >= lines) return;
    const int base = (l / inner) * len * inner + l % inner;
    __global const float* x = ws + xOff + base;
    __global float* y = ws + yOff + base;
    real_t mx = -INFINITY;
    for (int k = 0; k < len; k++) mx = fmax(mx, (real_t) x[k * inner]);
    real_t sum = 0;
    for (int k = 0; k < len; k++) sum += exp((real_t) x[k * inner] - mx);
    for (int k = 0; k < len; k++) y[k * inner] = (float) (exp((real_t) x[k * inner] - mx) / sum);
}
