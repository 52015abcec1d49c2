#ifndef CKERNELS_VECTOR_MATH_512_H
#define CKERNELS_VECTOR_MATH_512_H

#include <immintrin.h>
#include "GEMMInternal.h"

// AVX-512 forms of VectorMath.h's exp, sigmoid and tanh. Divisions are the slow part of these on
// AVX-512 (a 16-wide vdivps issues about once per 8-16 cycles), so 1 / d is rcp14 refined by one
// Newton step (relative error about 2^-27, within an ulp or so of the division).

CKERNELS_AVX512 static inline __attribute__((always_inline)) __m512 exp512(__m512 value) {
    __m512 x = _mm512_min_ps(_mm512_max_ps(value, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(88.0f));
    __m512 magic = _mm512_set1_ps(12582912.0f);
    __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504f), magic);
    __m512 n = _mm512_sub_ps(shifted, magic);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.69314575f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.4286068e-6f), r);
    __m512 p = _mm512_set1_ps(1.9875691e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.333452e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665796e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
}

CKERNELS_AVX512 static inline __attribute__((always_inline)) __m512 reciprocal512(__m512 d) {
    __m512 r = _mm512_rcp14_ps(d);
    return _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
}

CKERNELS_AVX512 static inline __attribute__((always_inline)) __m512 sigmoid512(__m512 x) {
    __m512 negative = _mm512_sub_ps(_mm512_setzero_ps(), x);
    return reciprocal512(_mm512_add_ps(_mm512_set1_ps(1.0f), exp512(negative)));
}

CKERNELS_AVX512 static inline __attribute__((always_inline)) __m512 tanh512(__m512 x) {
    __m512 magnitude = _mm512_abs_ps(x);
    __m512 e = exp512(_mm512_add_ps(magnitude, magnitude));
    __m512 positive = _mm512_fnmadd_ps(_mm512_set1_ps(2.0f), reciprocal512(_mm512_add_ps(e, _mm512_set1_ps(1.0f))),
                                       _mm512_set1_ps(1.0f));
    // Put x's sign back on.
    __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000));
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(positive), sign));
}

#endif
