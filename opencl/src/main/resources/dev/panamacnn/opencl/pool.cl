// Pooling with the semantics of PoolRef / Pool2dSpec: windows clipped to the padded input, then
// to the input; max ignores padding and propagates NaN; the average divides by the clipped
// window area (count_include_pad) or by the number of real elements.
__kernel void pool2d(__global float* ws, const int xOff, const int yOff, const int total,
                     const int H, const int W, const int OH, const int OW,
                     const int kh, const int kw, const int strideH, const int strideW,
                     const int padT, const int padL, const int padB, const int padR,
                     const int isMax, const int countIncludePad)
{
    const int gid = get_global_id(0);
    if (gid >= total) return;
    const int j = gid % OW;
    const int t = gid / OW;
    const int i = t % OH, plane = t / OH;
    __global const float* x = ws + xOff + (size_t) plane * H * W;

    const int y0 = i * strideH - padT, y1 = min(y0 + kh, H + padB);
    const int z0 = j * strideW - padL, z1 = min(z0 + kw, W + padR);
    const int ya = max(y0, 0), yb = min(y1, H), za = max(z0, 0), zb = min(z1, W);
    float result;
    if (isMax) {
        float m = -INFINITY;
        for (int y = ya; y < yb; y++)
            for (int z = za; z < zb; z++) {
                const float v = x[y * W + z];
                if (v > m || isnan(v)) m = v;
            }
        result = m;
    } else {
        real_t sum = 0;
        for (int y = ya; y < yb; y++)
            for (int z = za; z < zb; z++) sum += x[y * W + z];
        const int divisor = countIncludePad ? (y1 - y0) * (z1 - z0) : (yb - ya) * (zb - za);
        result = (float) (sum / divisor);
    }
    ws[yOff + gid] = result;
}

// Global average or max over each H x W plane: one work-item per (n, c).
__kernel void global_pool(__global float* ws, const int xOff, const int yOff, const int planes,
                          const int hw, const int isMax)
{
    const int p = get_global_id(0);
    if (p >= planes) return;
    __global const float* x = ws + xOff + (size_t) p * hw;
    real_t sum = 0;
    float m = -INFINITY;
    for (int k = 0; k < hw; k++) {
        const float v = x[k];
        sum += v;
        if (v > m || isnan(v)) m = v;
    }
    ws[yOff + p] = isMax ? m : (float) (sum / hw);
}
