#ifndef CKERNELS_GEMM_INTERNAL_H
#define CKERNELS_GEMM_INTERNAL_H

#include <stddef.h>

/// The feature sets kernel functions are compiled for (per function, no global flags).
#define CKERNELS_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))
#define CKERNELS_AVX2 __attribute__((target("avx2,fma")))

/// AVX-512 register tile: 8 rows of C by 32 columns (two 16-float vectors), 16 accumulators.
#define GEMM_AVX512_MR 8
#define GEMM_AVX512_NR 32
/// AVX2 register tile: 6 rows of C by 16 columns (two 8-float vectors), 12 accumulators of the
/// 16 ymm registers (the Haswell shape of BLIS and OpenBLAS).
#define GEMM_AVX2_MR 6
#define GEMM_AVX2_NR 16

/// Cache blocking (overridable with -D for tuning runs): a KC x NR panel of packed B stays in L1
/// while the MR-row slices of a KC-deep block of A stream past it; NC columns of packed B
/// (KC x NC, 1 MB) stay in L2. A block of MC rows is a whole number of MR-row tiles.
#ifndef GEMM_KC
#define GEMM_KC 256
#endif
#ifndef GEMM_NC
#define GEMM_NC 1024
#endif

/// One instruction set's micro-kernels and packing, and the tile and block sizes they imply.
typedef struct {
    int mr, nr, mc;
    /// C tile (mr <= MR rows, nr <= NR columns) = alpha * A slice (mr, kc) * packed B panel
    /// (kc, NR) + beta * C tile (+ bias (nr) on every row when not NULL). A is read in place with
    /// unit depth stride (rows of a row-major matrix).
    void (*kernelRows)(int kc, const float *a, ptrdiff_t lda, int mr, const float *packedB,
                       float *c, ptrdiff_t ldc, int nr, float alpha, float beta, const float *bias);
    /// The same with A packed as MR consecutive rows per depth step (see packATransposed).
    void (*kernelPacked)(int kc, const float *packedA, int mr, const float *packedB,
                         float *c, ptrdiff_t ldc, int nr, float alpha, float beta, const float *bias);
    /// Packs op(B)'s block (kc, nc) at depth p0, column j0 into NR-wide panels: panel q holds, for
    /// each depth step, NR consecutive columns q * NR ..< q * NR + NR, zero beyond nc.
    void (*packB)(int transposeB, int kc, int nc, const float *b, ptrdiff_t ldb, int p0, int j0,
                  float *packed);
    /// Packs the block (mc, kc) at row i0, depth p0 of a transposed A (op(A)(i, p) = a[p * lda + i])
    /// into MR-tall panels: panel r holds, for each depth step, MR consecutive rows r * MR ..<
    /// r * MR + MR, zero beyond mc. (A that is not transposed is read in place by kernelRows.)
    void (*packATransposed)(int mc, int kc, const float *a, ptrdiff_t lda, int i0, int p0, float *packed);
} GEMMKernelSet;

/// The two sets (defined in GEMM.c from these functions).
extern const GEMMKernelSet gemm_avx512_kernels;
extern const GEMMKernelSet gemm_avx2_kernels;

void gemm_avx512_kernel_rows(int kc, const float *a, ptrdiff_t lda, int mr, const float *packedB,
                             float *c, ptrdiff_t ldc, int nr, float alpha, float beta, const float *bias);
void gemm_avx512_kernel_packed(int kc, const float *packedA, int mr, const float *packedB,
                               float *c, ptrdiff_t ldc, int nr, float alpha, float beta, const float *bias);
void gemm_avx512_pack_b(int transposeB, int kc, int nc, const float *b, ptrdiff_t ldb, int p0, int j0,
                        float *packed);
void gemm_avx512_pack_a_transposed(int mc, int kc, const float *a, ptrdiff_t lda, int i0, int p0, float *packed);

void gemm_avx2_kernel_rows(int kc, const float *a, ptrdiff_t lda, int mr, const float *packedB,
                           float *c, ptrdiff_t ldc, int nr, float alpha, float beta, const float *bias);
void gemm_avx2_kernel_packed(int kc, const float *packedA, int mr, const float *packedB,
                             float *c, ptrdiff_t ldc, int nr, float alpha, float beta, const float *bias);
void gemm_avx2_pack_b(int transposeB, int kc, int nc, const float *b, ptrdiff_t ldb, int p0, int j0,
                      float *packed);
void gemm_avx2_pack_a_transposed(int mc, int kc, const float *a, ptrdiff_t lda, int i0, int p0, float *packed);

/// A 64-byte aligned scratch buffer of this thread with room for `count` floats (slot 0: A, 1: B).
float *gemm_scratch(int slot, size_t count);

#endif
