// Direct convolution for depthwise layers (one input channel per group, any channel multiplier):
// one work-item per output element, the k x k window read straight from the input.
__kernel void conv_depthwise(__global float* ws, __global const float* restrict w,
                             const int xOff, const int yOff, const int resOff, const int total,
                             const int C, const int H, const int W, const int O, const int OH, const int OW,
                             const int kh, const int kw, const int strideH, const int strideW,
                             const int padT, const int padL, const int dilH, const int dilW,
                             const int biasOff, const int act, const float lo, const float hi)
{
    const int gid = get_global_id(0);
    if (gid >= total) return;
    const int j = gid % OW;
    int t = gid / OW;
    const int i = t % OH;
    t /= OH;
    const int o = t % O, n = t / O;
    const int c = o / (O / C);
    __global const float* x = ws + xOff + (size_t) (n * C + c) * H * W;
    __global const float* wo = w + o * kh * kw;
    float acc = 0.0f;
    for (int p = 0; p < kh; p++) {
        const int y = i * strideH - padT + p * dilH;
        if ((uint) y >= (uint) H) continue;
        for (int q = 0; q < kw; q++) {
            const int z = j * strideW - padL + q * dilW;
            if ((uint) z < (uint) W) acc += x[y * W + z] * wo[p * kw + q];
        }
    }
    float v = acc + w[biasOff + o];
    if (resOff >= 0) v += ws[resOff + gid];
    ws[yOff + gid] = activate(v, act, lo, hi);
}
