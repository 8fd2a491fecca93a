// Shared by every program: the accumulator type for reductions done in higher precision where the
// device has doubles (matches the Java reference, which sums in double), and the activations.
#ifdef USE_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real_t;
#else
typedef float real_t;
#endif

// Activation kinds, in the order of dev.panamacnn.core.ops.Activation.Kind.
#define ACT_IDENTITY 0
#define ACT_RELU 1
#define ACT_CLIP 2
#define ACT_SIGMOID 3
#define ACT_TANH 4
#define ACT_HARD_SIGMOID 5
#define ACT_HARD_SWISH 6

// Activation#apply: clamps let NaN through, as the reference does. For the hard kinds lo and hi
// carry alpha and beta (they have no clamp bounds of their own). (Not "inline": a C99
// inline-only definition may be left unresolved by compilers that choose not to inline it.)
float activate(float v, int kind, float lo, float hi) {
    switch (kind) {
    case ACT_RELU:
        return v > 0.0f ? v : (isnan(v) ? v : 0.0f);
    case ACT_CLIP:
        return isnan(v) ? v : fmin(fmax(v, lo), hi);
    case ACT_SIGMOID:
        return (float) ((real_t) 1 / ((real_t) 1 + exp(-(real_t) v)));
    case ACT_TANH:
        return (float) tanh((real_t) v);
    case ACT_HARD_SIGMOID:
        return isnan(v) ? v : (float) fmin((real_t) 1, fmax((real_t) 0, (real_t) lo * v + hi));
    case ACT_HARD_SWISH:
        return isnan(v) ? v : (float) ((real_t) v * fmin((real_t) 1, fmax((real_t) 0, (real_t) lo * v + hi)));
    default:
        return v;
    }
}
