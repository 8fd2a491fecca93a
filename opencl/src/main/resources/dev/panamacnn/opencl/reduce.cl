// Mean over a set of axes (ReduceRef): one work-item per output element, the reduced elements
// summed in input order in real_t (double where the device has it, as the reference) and divided
// once. tab: kept dims and their input strides (kr each), then reduced dims and strides (rr each).
__kernel void reduce_mean(__global float* ws, __global const int* restrict tab, const int xOff, const int yOff,
                          const int total, const int kr, const int rr, const int count)
{
    const int i = get_global_id(0);
    if (i >= total) return;
    int rest = i, base = xOff;
    for (int k = kr - 1; k >= 0; k--) {
        const int d = tab[k];
        base += (rest % d) * tab[kr + k];
        rest /= d;
    }
    __global const int* red = tab + 2 * kr;
    real_t sum = 0;
    for (int j = 0; j < count; j++) {
        int r = j, off = base;
        for (int k = rr - 1; k >= 0; k--) {
            const int d = red[k];
            off += (r % d) * red[rr + k];
            r /= d;
        }
        sum += ws[off];
    }
    ws[yOff + i] = (float) (sum / count);
}
