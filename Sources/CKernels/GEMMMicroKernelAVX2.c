// The AVX2 + FMA register tile of the GEMM: a (MR = 6, NR = 16) block of C held in 12 ymm
// accumulators; each depth step loads one packed B row (two vectors) and broadcasts six A values.
// Used where the CPU has no AVX-512 (or TUNE_GEMM=avx2).
#include <immintrin.h>
#include "GEMMInternal.h"

#if defined(__x86_64__)

#define ZERO_ROW(i) __m256 c##i##0 = _mm256_setzero_ps(), c##i##1 = _mm256_setzero_ps();

#define FMA_ROW(i, pointer)                                      \
    {                                                            \
        __m256 broadcast = _mm256_broadcast_ss(pointer);         \
        c##i##0 = _mm256_fmadd_ps(broadcast, low, c##i##0);      \
        c##i##1 = _mm256_fmadd_ps(broadcast, high, c##i##1);     \
    }

#define STORE_ROW(i)                                                                                  \
    if (i < mr) store_row(c + (ptrdiff_t)(i) * ldc, c##i##0, c##i##1, lowMask, highMask, alpha, beta, \
                          biasLow, biasHigh, hasBias);

/// The lane mask of the first `count` of 8 lanes (none for count <= 0, all for count >= 8).
CKERNELS_AVX2 static inline __attribute__((always_inline)) __m256i lane_mask(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// row[0 ..< nr] = alpha * (low, high) + beta * row (+ bias), masked to the tile's columns; beta 0
/// never reads the row (its old contents may be NaN).
CKERNELS_AVX2 static inline __attribute__((always_inline)) void
store_row(float *row, __m256 low, __m256 high, __m256i lowMask, __m256i highMask, float alpha,
          float beta, __m256 biasLow, __m256 biasHigh, int hasBias) {
    if (alpha != 1.0f) {
        __m256 scale = _mm256_set1_ps(alpha);
        low = _mm256_mul_ps(low, scale);
        high = _mm256_mul_ps(high, scale);
    }
    if (beta == 1.0f) {
        low = _mm256_add_ps(low, _mm256_maskload_ps(row, lowMask));
        high = _mm256_add_ps(high, _mm256_maskload_ps(row + 8, highMask));
    } else if (beta != 0.0f) {
        __m256 scale = _mm256_set1_ps(beta);
        low = _mm256_fmadd_ps(scale, _mm256_maskload_ps(row, lowMask), low);
        high = _mm256_fmadd_ps(scale, _mm256_maskload_ps(row + 8, highMask), high);
    }
    if (hasBias) {
        low = _mm256_add_ps(low, biasLow);
        high = _mm256_add_ps(high, biasHigh);
    }
    _mm256_maskstore_ps(row, lowMask, low);
    _mm256_maskstore_ps(row + 8, highMask, high);
}

/// The column masks of a tile nr columns wide (first 8, last 8) and the tile's bias columns.
#define TILE_COLUMNS()                                                                         \
    __m256i lowMask = lane_mask(nr), highMask = lane_mask(nr - 8);                             \
    const int hasBias = bias != NULL;                                                          \
    __m256 biasLow = hasBias ? _mm256_maskload_ps(bias, lowMask) : _mm256_setzero_ps();        \
    __m256 biasHigh = hasBias ? _mm256_maskload_ps(bias + 8, highMask) : _mm256_setzero_ps();

CKERNELS_AVX2 void gemm_avx2_kernel_rows(int kc, const float *a, ptrdiff_t lda, int mr,
                                         const float *packedB, float *c, ptrdiff_t ldc, int nr,
                                         float alpha, float beta, const float *bias) {
    // Rows past mr read row 0 again (valid memory); their results are never stored.
    const float *row0 = a;
    const float *row1 = a + (mr > 1 ? 1 : 0) * lda;
    const float *row2 = a + (mr > 2 ? 2 : 0) * lda;
    const float *row3 = a + (mr > 3 ? 3 : 0) * lda;
    const float *row4 = a + (mr > 4 ? 4 : 0) * lda;
    const float *row5 = a + (mr > 5 ? 5 : 0) * lda;
    ZERO_ROW(0) ZERO_ROW(1) ZERO_ROW(2) ZERO_ROW(3) ZERO_ROW(4) ZERO_ROW(5)
    const float *b = packedB;
    for (int p = 0; p < kc; p++, b += GEMM_AVX2_NR) {
        __m256 low = _mm256_load_ps(b);
        __m256 high = _mm256_load_ps(b + 8);
        FMA_ROW(0, row0 + p) FMA_ROW(1, row1 + p) FMA_ROW(2, row2 + p)
        FMA_ROW(3, row3 + p) FMA_ROW(4, row4 + p) FMA_ROW(5, row5 + p)
    }
    TILE_COLUMNS()
    STORE_ROW(0) STORE_ROW(1) STORE_ROW(2) STORE_ROW(3) STORE_ROW(4) STORE_ROW(5)
}

CKERNELS_AVX2 void gemm_avx2_kernel_packed(int kc, const float *packedA, int mr, const float *packedB,
                                           float *c, ptrdiff_t ldc, int nr, float alpha, float beta,
                                           const float *bias) {
    ZERO_ROW(0) ZERO_ROW(1) ZERO_ROW(2) ZERO_ROW(3) ZERO_ROW(4) ZERO_ROW(5)
    const float *a = packedA;
    const float *b = packedB;
    for (int p = 0; p < kc; p++, a += GEMM_AVX2_MR, b += GEMM_AVX2_NR) {
        __m256 low = _mm256_load_ps(b);
        __m256 high = _mm256_load_ps(b + 8);
        FMA_ROW(0, a + 0) FMA_ROW(1, a + 1) FMA_ROW(2, a + 2)
        FMA_ROW(3, a + 3) FMA_ROW(4, a + 4) FMA_ROW(5, a + 5)
    }
    TILE_COLUMNS()
    STORE_ROW(0) STORE_ROW(1) STORE_ROW(2) STORE_ROW(3) STORE_ROW(4) STORE_ROW(5)
}

#endif
