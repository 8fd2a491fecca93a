// Element-wise kernels: one work-item per element, activation fused.

__kernel void add_act(__global float* ws, const int aOff, const int bOff, const int yOff, const int total,
                      const int act, const float lo, const float hi)
{
    const int i = get_global_id(0);
    if (i < total) ws[yOff + i] = activate(ws[aOff + i] + ws[bOff + i], act, lo, hi);
}

__kernel void act(__global float* ws, const int xOff, const int yOff, const int total,
                  const int kind, const float lo, const float hi)
{
    const int i = get_global_id(0);
    if (i < total) ws[yOff + i] = activate(ws[xOff + i], kind, lo, hi);
}

// Broadcast arithmetic (BinaryRef): the output is walked row-major over rank axes of tab[0..rank),
// reading a and b through their element strides tab[rank..2*rank) and tab[2*rank..3*rank)
// (0 where an operand repeats). Op codes follow dev.panamacnn.core.ops.BinaryOp. Division goes
// through real_t: a double quotient rounded to float is the correctly rounded float quotient,
// which plain float division in OpenCL C need not be.
__kernel void binary(__global float* ws, __global const int* restrict tab, const int aOff, const int bOff,
                     const int yOff, const int total, const int rank, const int op)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    int rest = i, ia = aOff, ib = bOff;
    for (int k = rank - 1; k >= 0; k--) {
        const int d = tab[k], c = rest % d;
        rest /= d;
        ia += c * tab[rank + k];
        ib += c * tab[2 * rank + k];
    }
    const float a = ws[ia], b = ws[ib];
    float v;
    switch (op) {
    case 0: v = a + b; break;
    case 1: v = a - b; break;
    case 2: v = a * b; break;
    default: v = (float) ((real_t) a / (real_t) b); break;
    }
    ws[yOff + i] = v;
}
