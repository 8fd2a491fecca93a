// Convolution and dense layers as one implicit GEMM, tiled through local memory with register
// blocking. Per group g (NDRange dimension 2):
//
//   C[m, col] = sum_k A[m, k] * B[k, col]
//   A = weights, packed at compile time as w[(g*Kp + k)*Mp + m], zero-padded to Kp x Mp
//   B = the im2col matrix of the input, never stored: row k is input channel c and tap (p, q),
//       found in tab[k] = (c*H*W, p*dilationH, q*dilationW); column col = (n, i, j)
//   C = output channel g*Mg + m at position col, then bias, optional residual and activation.
//
// Build options fix the tiling: a TS_M x TS_N tile per work-group, K in steps of TS_K, and
// WPT_M x WPT_N outputs per work-item held in registers. The host picks it from the device's
// work-group and local-memory limits and guarantees the divisibility the loads rely on.

#define RTS_M (TS_M / WPT_M)
#define RTS_N (TS_N / WPT_N)
#define THREADS (RTS_M * RTS_N)
#define A_ROWS (THREADS / TS_M)   // rows of the A tile loaded per pass
#define B_ROWS (THREADS / TS_N)

__kernel __attribute__((reqd_work_group_size(RTS_N, RTS_M, 1)))
void conv_gemm(__global float* ws,                 // the workspace: input, output, residual
               __global const float* restrict w,   // packed weights, then bias[O] at biasOff
               __global const int4* restrict tab,  // per k: (channel offset, dy, dx, unused)
               const int xOff, const int yOff, const int resOff,
               const int K, const int Kp, const int Mg, const int Mp, const int O, const int biasOff,
               const int cols, const int ohw, const int ow,
               const int inBatchStride, const int inGroupStride, const int H, const int W,
               const int strideH, const int strideW, const int padT, const int padL,
               const int pointwise, const int act, const float lo, const float hi)
{
    __local float As[TS_K][TS_M];
    __local float Bs[TS_K][TS_N];

    const int lx = get_local_id(0), ly = get_local_id(1);
    const int lid = ly * RTS_N + lx;
    const int g = get_group_id(2);
    const int m0 = get_group_id(1) * TS_M;
    const int n0 = get_group_id(0) * TS_N;

    // The B column this work-item loads is the same for the whole K loop: decode (n, i, j) once.
    const int bCol = lid % TS_N, bRow = lid / TS_N;
    const int col = n0 + bCol;
    const bool colOk = col < cols;
    int img = 0, r = 0, iy0 = 0, jx0 = 0;
    if (colOk) {
        img = col / ohw;
        r = col - img * ohw;
        const int i = r / ow, j = r - (r / ow) * ow;
        iy0 = i * strideH - padT;
        jx0 = j * strideW - padL;
    }
    const int xBase = xOff + img * inBatchStride + g * inGroupStride;
    const int hw = H * W;

    const int aCol = lid % TS_M, aRow = lid / TS_M;
    __global const float* wg = w + (size_t) g * Kp * Mp + m0 + aCol;

    float acc[WPT_M][WPT_N];
    for (int a = 0; a < WPT_M; a++)
        for (int b = 0; b < WPT_N; b++) acc[a][b] = 0.0f;

    for (int k0 = 0; k0 < Kp; k0 += TS_K) {
        for (int t = 0; t < TS_K; t += A_ROWS) {
            As[t + aRow][aCol] = wg[(size_t) (k0 + t + aRow) * Mp];
        }
        for (int t = 0; t < TS_K; t += B_ROWS) {
            const int k = k0 + t + bRow;
            float v = 0.0f;
            if (colOk && k < K) {
                if (pointwise) {            // 1x1, stride 1, no padding: B is the input itself
                    v = ws[xBase + k * hw + r];
                } else {
                    const int4 e = tab[k];
                    const int y = iy0 + e.y, x = jx0 + e.z;
                    if ((uint) y < (uint) H && (uint) x < (uint) W) v = ws[xBase + e.x + y * W + x];
                }
            }
            Bs[t + bRow][bCol] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TS_K; k++) {
            float a[WPT_M], b[WPT_N];
            for (int i = 0; i < WPT_M; i++) a[i] = As[k][ly + i * RTS_M];
            for (int j = 0; j < WPT_N; j++) b[j] = Bs[k][lx + j * RTS_N];
            for (int i = 0; i < WPT_M; i++)
                for (int j = 0; j < WPT_N; j++) acc[i][j] += a[i] * b[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int j = 0; j < WPT_N; j++) {
        const int c = n0 + lx + j * RTS_N;
        if (c >= cols) continue;
        const int n = c / ohw, pos = c - (c / ohw) * ohw;
        for (int i = 0; i < WPT_M; i++) {
            const int m = m0 + ly + i * RTS_M;
            if (m >= Mg) continue;
            const int o = g * Mg + m;
            const int idx = (n * O + o) * ohw + pos;
            float v = acc[i][j] + w[biasOff + o];
            if (resOff >= 0) v += ws[resOff + idx];
            ws[yOff + idx] = activate(v, act, lo, hi);
        }
    }
}
