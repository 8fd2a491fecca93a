// NumPy matmul of two workspace tensors (MatMulRef): y[t, i, j] = sum_p a[t', i, p] * b[t'', p, j],
// one work-item per output element, summed in order in real_t (products of floats are exact in
// double, so with fp64 this is the reference's arithmetic). The batch index t is decoded over
// tab[0..rb) and maps to matrix offsets through tab[rb..2rb) (a) and tab[2rb..3rb) (b), 0 where an
// operand's batch axis broadcasts. Graph models use it rarely (attention-like blocks), so it is
// not tiled.
__kernel void matmul(__global float* ws, __global const int* restrict tab, const int aOff, const int bOff,
                     const int yOff, const int total, const int rb, const int M, const int K, const int N)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    const int j = i % N, t = i / N, r = t % M;
    int rest = t / M, ia = aOff, ib = bOff;
    for (int k = rb - 1; k >= 0; k--) {
        const int d = tab[k], c = rest % d;
        rest /= d;
        ia += c * tab[rb + k];
        ib += c * tab[2 * rb + k];
    }
    __global const float* a = ws + ia + r * K;
    __global const float* b = ws + ib + j;
    real_t acc = 0;
    for (int p = 0; p < K; p++) acc += (real_t) a[p] * b[p * N];
    ws[yOff + i] = (float) acc;
}
