// Data movement (LayoutRef): exact copies, one work-item per output element. Shapes and strides
// come in an int table made at compile time; axes are decoded from the last, row-major.

// y[i] = x[xOff + sum_k c_k * stride_k], c = the coordinates of i in dims: transpose and slice
// (slice folds its starts into xOff; negative steps are negative strides). tab: dims, strides.
__kernel void gather(__global float* ws, __global const int* restrict tab, const int xOff, const int yOff,
                     const int total, const int rank)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    int rest = i, src = xOff;
    for (int k = rank - 1; k >= 0; k--) {
        const int d = tab[k];
        src += (rest % d) * tab[rank + k];
        rest /= d;
    }
    ws[yOff + i] = ws[src];
}

// Constant padding: y[c] = x[c - begin] where that is inside x, else value (negative begins crop).
// tab: output dims, begins, input dims, input strides (rank each).
__kernel void pad(__global float* ws, __global const int* restrict tab, const int xOff, const int yOff,
                  const int total, const int rank, const float value)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    int rest = i, src = xOff;
    bool inside = true;
    for (int k = rank - 1; k >= 0; k--) {
        const int d = tab[k], j = rest % d - tab[rank + k];
        rest /= d;
        inside = inside && j >= 0 && j < tab[2 * rank + k];
        src += j * tab[3 * rank + k];
    }
    ws[yOff + i] = inside ? ws[src] : value;
}

// Concatenation: the output is outer rows of outRow elements, each the inputs' rows side by side.
// tab: inputs + 1 row starts (cumulative, the last = outRow), then each input's workspace offset.
__kernel void concat(__global float* ws, __global const int* restrict tab, const int yOff, const int total,
                     const int outRow, const int inputs)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    const int o = i / outRow, j = i - o * outRow;
    int k = 0;
    while (j >= tab[k + 1]) k++;
    const int row = tab[k + 1] - tab[k];
    ws[yOff + i] = ws[tab[inputs + 1 + k] + o * row + (j - tab[k])];
}
