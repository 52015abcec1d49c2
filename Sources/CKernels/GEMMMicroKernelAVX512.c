// The AVX-512 register tile of the GEMM: an (MR = 8, NR = 32) block of C held in 16 zmm
// accumulators; each depth step loads one packed B row (two vectors) and broadcasts eight A values.
#include <immintrin.h>
#include "GEMMInternal.h"

#if defined(__x86_64__)

#define ZERO_ROW(i) __m512 c##i##0 = _mm512_setzero_ps(), c##i##1 = _mm512_setzero_ps();

#define FMA_ROW(i, value)                                        \
    {                                                            \
        __m512 broadcast = _mm512_set1_ps(value);                \
        c##i##0 = _mm512_fmadd_ps(broadcast, low, c##i##0);      \
        c##i##1 = _mm512_fmadd_ps(broadcast, high, c##i##1);     \
    }

#define STORE_ROW(i)                                                                                  \
    if (i < mr) store_row(c + (ptrdiff_t)(i) * ldc, c##i##0, c##i##1, lowMask, highMask, alpha, beta, \
                          biasLow, biasHigh, hasBias);

/// row[0 ..< nr] = alpha * (low, high) + beta * row (+ bias), masked to the tile's columns; beta 0
/// never reads the row (its old contents may be NaN).
CKERNELS_AVX512 static inline __attribute__((always_inline)) void
store_row(float *row, __m512 low, __m512 high, __mmask16 lowMask, __mmask16 highMask, float alpha,
          float beta, __m512 biasLow, __m512 biasHigh, int hasBias) {
    if (alpha != 1.0f) {
        __m512 scale = _mm512_set1_ps(alpha);
        low = _mm512_mul_ps(low, scale);
        high = _mm512_mul_ps(high, scale);
    }
    if (beta == 1.0f) {
        low = _mm512_add_ps(low, _mm512_maskz_loadu_ps(lowMask, row));
        high = _mm512_add_ps(high, _mm512_maskz_loadu_ps(highMask, row + 16));
    } else if (beta != 0.0f) {
        __m512 scale = _mm512_set1_ps(beta);
        low = _mm512_fmadd_ps(scale, _mm512_maskz_loadu_ps(lowMask, row), low);
        high = _mm512_fmadd_ps(scale, _mm512_maskz_loadu_ps(highMask, row + 16), high);
    }
    if (hasBias) {
        low = _mm512_add_ps(low, biasLow);
        high = _mm512_add_ps(high, biasHigh);
    }
    _mm512_mask_storeu_ps(row, lowMask, low);
    _mm512_mask_storeu_ps(row + 16, highMask, high);
}

/// The column masks of a tile nr columns wide (first 16, last 16) and the tile's bias columns.
#define TILE_COLUMNS()                                                                                  \
    __mmask16 lowMask = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1u);                    \
    __mmask16 highMask = nr >= 32 ? (__mmask16)0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1u) : 0; \
    const int hasBias = bias != NULL;                                                                   \
    __m512 biasLow = hasBias ? _mm512_maskz_loadu_ps(lowMask, bias) : _mm512_setzero_ps();              \
    __m512 biasHigh = hasBias ? _mm512_maskz_loadu_ps(highMask, bias + 16) : _mm512_setzero_ps();

CKERNELS_AVX512 void gemm_avx512_kernel_rows(int kc, const float *a, ptrdiff_t lda, int mr,
                                      const float *packedB, float *c, ptrdiff_t ldc, int nr,
                                      float alpha, float beta, const float *bias) {
    // Rows past mr read row 0 again (valid memory); their results are never stored.
    const float *row0 = a;
    const float *row1 = a + (mr > 1 ? 1 : 0) * lda;
    const float *row2 = a + (mr > 2 ? 2 : 0) * lda;
    const float *row3 = a + (mr > 3 ? 3 : 0) * lda;
    const float *row4 = a + (mr > 4 ? 4 : 0) * lda;
    const float *row5 = a + (mr > 5 ? 5 : 0) * lda;
    const float *row6 = a + (mr > 6 ? 6 : 0) * lda;
    const float *row7 = a + (mr > 7 ? 7 : 0) * lda;
    ZERO_ROW(0) ZERO_ROW(1) ZERO_ROW(2) ZERO_ROW(3) ZERO_ROW(4) ZERO_ROW(5) ZERO_ROW(6) ZERO_ROW(7)
    const float *b = packedB;
    for (int p = 0; p < kc; p++, b += GEMM_AVX512_NR) {
        __m512 low = _mm512_load_ps(b);
        __m512 high = _mm512_load_ps(b + 16);
        FMA_ROW(0, row0[p]) FMA_ROW(1, row1[p]) FMA_ROW(2, row2[p]) FMA_ROW(3, row3[p])
        FMA_ROW(4, row4[p]) FMA_ROW(5, row5[p]) FMA_ROW(6, row6[p]) FMA_ROW(7, row7[p])
    }
    TILE_COLUMNS()
    STORE_ROW(0) STORE_ROW(1) STORE_ROW(2) STORE_ROW(3)
    STORE_ROW(4) STORE_ROW(5) STORE_ROW(6) STORE_ROW(7)
}

CKERNELS_AVX512 void gemm_avx512_kernel_packed(int kc, const float *packedA, int mr, const float *packedB,
                                        float *c, ptrdiff_t ldc, int nr, float alpha, float beta,
                                        const float *bias) {
    ZERO_ROW(0) ZERO_ROW(1) ZERO_ROW(2) ZERO_ROW(3) ZERO_ROW(4) ZERO_ROW(5) ZERO_ROW(6) ZERO_ROW(7)
    const float *a = packedA;
    const float *b = packedB;
    for (int p = 0; p < kc; p++, a += GEMM_AVX512_MR, b += GEMM_AVX512_NR) {
        __m512 low = _mm512_load_ps(b);
        __m512 high = _mm512_load_ps(b + 16);
        FMA_ROW(0, a[0]) FMA_ROW(1, a[1]) FMA_ROW(2, a[2]) FMA_ROW(3, a[3])
        FMA_ROW(4, a[4]) FMA_ROW(5, a[5]) FMA_ROW(6, a[6]) FMA_ROW(7, a[7])
    }
    TILE_COLUMNS()
    STORE_ROW(0) STORE_ROW(1) STORE_ROW(2) STORE_ROW(3)
    STORE_ROW(4) STORE_ROW(5) STORE_ROW(6) STORE_ROW(7)
}

#endif
