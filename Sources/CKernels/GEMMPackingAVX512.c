// AVX-512 packing of GEMM operand blocks into the panel layouts the micro-kernels read contiguously.
#include <immintrin.h>
#include "GEMMInternal.h"

#if defined(__x86_64__)

/// The mask of the first `count` lanes (none for count <= 0, all for count >= 16).
static inline __mmask16 lane_mask(int count) {
    return count <= 0 ? 0 : count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}

/// Transposes the 16 x 16 matrix held in rows[0 ..< 16] in place: 32-bit and 64-bit interleaves
/// within 128-bit lanes, then two rounds of 128-bit lane shuffles.
CKERNELS_AVX512 static inline __attribute__((always_inline)) void transpose16(__m512 rows[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(rows[2 * i], rows[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(rows[2 * i], rows[2 * i + 1]);
    }
    __m512 s[16];  // s[4g + j], lane L: column 4L + j of rows 4g ..< 4g + 4
    for (int g = 0; g < 4; g++) {
        __m512d low0 = _mm512_castps_pd(t[4 * g]), low1 = _mm512_castps_pd(t[4 * g + 2]);
        __m512d high0 = _mm512_castps_pd(t[4 * g + 1]), high1 = _mm512_castps_pd(t[4 * g + 3]);
        s[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(low0, low1));
        s[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(low0, low1));
        s[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(high0, high1));
        s[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(high0, high1));
    }
    for (int j = 0; j < 4; j++) {
        __m512 u0 = _mm512_shuffle_f32x4(s[j], s[4 + j], 0x88);
        __m512 u1 = _mm512_shuffle_f32x4(s[j], s[4 + j], 0xDD);
        __m512 u2 = _mm512_shuffle_f32x4(s[8 + j], s[12 + j], 0x88);
        __m512 u3 = _mm512_shuffle_f32x4(s[8 + j], s[12 + j], 0xDD);
        rows[j] = _mm512_shuffle_f32x4(u0, u2, 0x88);
        rows[4 + j] = _mm512_shuffle_f32x4(u1, u3, 0x88);
        rows[8 + j] = _mm512_shuffle_f32x4(u0, u2, 0xDD);
        rows[12 + j] = _mm512_shuffle_f32x4(u1, u3, 0xDD);
    }
}

CKERNELS_AVX512 void gemm_avx512_pack_b(int transposeB, int kc, int nc, const float *b, ptrdiff_t ldb,
                                 int p0, int j0, float *packed) {
    for (int q = 0; q * GEMM_AVX512_NR < nc; q++) {
        int columns = nc - q * GEMM_AVX512_NR < GEMM_AVX512_NR ? nc - q * GEMM_AVX512_NR : GEMM_AVX512_NR;
        float *panel = packed + (size_t)q * kc * GEMM_AVX512_NR;  // (kc, NR)
        int j = j0 + q * GEMM_AVX512_NR;
        if (!transposeB) {
            // op(B)(p, j) = b[p * ldb + j]: each depth step is a contiguous run of columns.
            __mmask16 lowMask = lane_mask(columns), highMask = lane_mask(columns - 16);
            for (int p = 0; p < kc; p++) {
                const float *source = b + (ptrdiff_t)(p0 + p) * ldb + j;
                _mm512_store_ps(panel + p * GEMM_AVX512_NR, _mm512_maskz_loadu_ps(lowMask, source));
                _mm512_store_ps(panel + p * GEMM_AVX512_NR + 16,
                                columns > 16 ? _mm512_maskz_loadu_ps(highMask, source + 16)
                                             : _mm512_setzero_ps());
            }
        } else {
            // op(B)(p, j) = b[j * ldb + p]: 16 x 16 blocks transposed through registers.
            for (int half = 0; half * 16 < columns; half++) {
                int width = columns - 16 * half < 16 ? columns - 16 * half : 16;
                for (int p = 0; p < kc; p += 16) {
                    int depth = kc - p < 16 ? kc - p : 16;
                    __mmask16 depthMask = lane_mask(depth);
                    __m512 block[16];  // block[r][s] = op(B)(p0 + p + s, j + 16 half + r)
                    for (int r = 0; r < 16; r++) {
                        block[r] = r < width
                            ? _mm512_maskz_loadu_ps(depthMask, b + (ptrdiff_t)(j + 16 * half + r) * ldb + p0 + p)
                            : _mm512_setzero_ps();
                    }
                    transpose16(block);  // now block[s][r]
                    for (int s = 0; s < depth; s++) _mm512_store_ps(panel + (p + s) * GEMM_AVX512_NR + 16 * half, block[s]);
                }
            }
            if (columns <= 16) {
                for (int p = 0; p < kc; p++) _mm512_store_ps(panel + p * GEMM_AVX512_NR + 16, _mm512_setzero_ps());
            }
        }
    }
}

CKERNELS_AVX512 void gemm_avx512_pack_a_transposed(int mc, int kc, const float *a, ptrdiff_t lda, int i0, int p0,
                                            float *packed) {
    for (int r = 0; r * GEMM_AVX512_MR < mc; r++) {
        int rows = mc - r * GEMM_AVX512_MR < GEMM_AVX512_MR ? mc - r * GEMM_AVX512_MR : GEMM_AVX512_MR;
        float *panel = packed + (size_t)r * kc * GEMM_AVX512_MR;  // (kc, MR)
        // op(A)(i, p) = a[p * lda + i]: each depth step is a contiguous run of rows.
        __mmask8 mask = (__mmask8)(rows >= 8 ? 0xFF : (1u << rows) - 1u);
        const float *source = a + (ptrdiff_t)p0 * lda + i0 + r * GEMM_AVX512_MR;
        for (int p = 0; p < kc; p++) {
            _mm256_store_ps(panel + p * GEMM_AVX512_MR, _mm256_maskz_loadu_ps(mask, source + (ptrdiff_t)p * lda));
        }
    }
}

#endif
