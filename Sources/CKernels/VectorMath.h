#ifndef CKERNELS_VECTOR_MATH_H
#define CKERNELS_VECTOR_MATH_H

#include <stdint.h>
#include <string.h>

/// Elementwise kernels are compiled for AVX-512, AVX2 and baseline x86-64 and chosen by the loader
/// (ifunc) for the CPU at hand; the loops are plain C that the compiler vectorises.
#if defined(__x86_64__)
#define CKERNELS_VECTORIZED __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CKERNELS_VECTORIZED
#endif

/// exp(x) without a libm call, so loops vectorise: range reduction by ln 2 and a degree-6
/// polynomial (about 2 ulp).
static inline float vector_exp(float value) {
    float x = value < -87.0f ? -87.0f : value;
    x = x > 88.0f ? 88.0f : x;
    // Adding 1.5 * 2^23 rounds x / ln2 to an integer held in the low mantissa bits.
    float shifted = x * 1.44269504f + 12582912.0f;
    float n = shifted - 12582912.0f;
    float r = (x - n * 0.69314575f) - n * 1.4286068e-6f;
    float p = 1.9875691e-4f;
    p = p * r + 1.3981999e-3f;
    p = p * r + 8.333452e-3f;
    p = p * r + 4.1665796e-2f;
    p = p * r + 1.6666665e-1f;
    p = p * r + 0.5f;
    p = p * r * r + r + 1.0f;
    uint32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    bits = (bits + 127u) << 23;  // 2^n
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float vector_sigmoid(float x) { return 1.0f / (1.0f + vector_exp(-x)); }

static inline float vector_tanh(float x) {
    float magnitude = x < 0 ? -x : x;
    float positive = 1.0f - 2.0f / (vector_exp(2.0f * magnitude) + 1.0f);
    return x < 0 ? -positive : positive;
}

#endif
