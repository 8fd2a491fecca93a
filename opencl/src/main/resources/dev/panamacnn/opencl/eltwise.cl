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
