// AVX2 packing of GEMM operand blocks into the 16-wide B panels and 6-tall A panels that
// GEMMMicroKernelAVX2.c reads contiguously.
#include <immintrin.h>
#include "GEMMInternal.h"

#if defined(__x86_64__)

/// The lane mask of the first `count` of 8 lanes (none for count <= 0, all for count >= 8).
CKERNELS_AVX2 static inline __attribute__((always_inline)) __m256i lane_mask(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// Transposes the 8 x 8 matrix held in rows[0 ..< 8] in place: 32-bit interleaves, 64-bit
/// shuffles within 128-bit lanes, then 128-bit lane swaps.
CKERNELS_AVX2 static inline __attribute__((always_inline)) void transpose8(__m256 rows[8]) {
    __m256 t[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(rows[2 * i], rows[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(rows[2 * i], rows[2 * i + 1]);
    }
    __m256 s[8];  // s[4h + j], 128-bit lane L: column 4L + j of rows 4h ..< 4h + 4
    for (int h = 0; h < 2; h++) {
        s[4 * h] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0x44);
        s[4 * h + 1] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0xEE);
        s[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0x44);
        s[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0xEE);
    }
    for (int j = 0; j < 4; j++) {
        rows[j] = _mm256_permute2f128_ps(s[j], s[4 + j], 0x20);
        rows[4 + j] = _mm256_permute2f128_ps(s[j], s[4 + j], 0x31);
    }
}

CKERNELS_AVX2 void gemm_avx2_pack_b(int transposeB, int kc, int nc, const float *b, ptrdiff_t ldb,
                                    int p0, int j0, float *packed) {
    for (int q = 0; q * GEMM_AVX2_NR < nc; q++) {
        int columns = nc - q * GEMM_AVX2_NR < GEMM_AVX2_NR ? nc - q * GEMM_AVX2_NR : GEMM_AVX2_NR;
        float *panel = packed + (size_t)q * kc * GEMM_AVX2_NR;  // (kc, NR)
        int j = j0 + q * GEMM_AVX2_NR;
        if (!transposeB) {
            // op(B)(p, j) = b[p * ldb + j]: each depth step is a contiguous run of columns.
            __m256i lowMask = lane_mask(columns), highMask = lane_mask(columns - 8);
            for (int p = 0; p < kc; p++) {
                const float *source = b + (ptrdiff_t)(p0 + p) * ldb + j;
                _mm256_store_ps(panel + p * GEMM_AVX2_NR, _mm256_maskload_ps(source, lowMask));
                _mm256_store_ps(panel + p * GEMM_AVX2_NR + 8, _mm256_maskload_ps(source + 8, highMask));
            }
        } else {
            // op(B)(p, j) = b[j * ldb + p]: 8 x 8 blocks transposed through registers.
            for (int half = 0; half < 2; half++) {
                int width = columns - 8 * half;
                for (int p = 0; p < kc; p += 8) {
                    int depth = kc - p < 8 ? kc - p : 8;
                    __m256i depthMask = lane_mask(depth);
                    __m256 block[8];  // block[r][s] = op(B)(p0 + p + s, j + 8 half + r)
                    for (int r = 0; r < 8; r++) {
                        block[r] = r < width
                            ? _mm256_maskload_ps(b + (ptrdiff_t)(j + 8 * half + r) * ldb + p0 + p, depthMask)
                            : _mm256_setzero_ps();
                    }
                    transpose8(block);  // now block[s][r]
                    for (int s = 0; s < depth; s++) _mm256_store_ps(panel + (p + s) * GEMM_AVX2_NR + 8 * half, block[s]);
                }
            }
        }
    }
}

CKERNELS_AVX2 void gemm_avx2_pack_a_transposed(int mc, int kc, const float *a, ptrdiff_t lda, int i0, int p0,
                                               float *packed) {
    for (int r = 0; r * GEMM_AVX2_MR < mc; r++) {
        int rows = mc - r * GEMM_AVX2_MR < GEMM_AVX2_MR ? mc - r * GEMM_AVX2_MR : GEMM_AVX2_MR;
        float *panel = packed + (size_t)r * kc * GEMM_AVX2_MR;  // (kc, MR)
        // op(A)(i, p) = a[p * lda + i]: each depth step is a contiguous run of rows.
        const float *source = a + (ptrdiff_t)p0 * lda + i0 + r * GEMM_AVX2_MR;
        for (int p = 0; p < kc; p++) {
            const float *step = source + (ptrdiff_t)p * lda;
            for (int i = 0; i < GEMM_AVX2_MR; i++) panel[p * GEMM_AVX2_MR + i] = i < rows ? step[i] : 0.0f;
        }
    }
}

#endif
