#ifndef CKERNELS_GEMM_INTERNAL_H
#define CKERNELS_GEMM_INTERNAL_H

#include <stddef.h>

/// The AVX-512 feature set every kernel function is compiled for (per function, no global flags).
#define CKERNELS_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))

/// Register tile: MR rows of C by NR columns (two 16-float vectors), 16 accumulators.
#define GEMM_MR 8
#define GEMM_NR 32
/// Cache blocking (overridable with -D for tuning runs): a KC x NR panel of packed B (32 KB) stays
/// in L1 while the MR-row slices of a KC-deep block of A stream past it; NC columns of packed B
/// (KC x NC, 1 MB) stay in L2.
#ifndef GEMM_KC
#define GEMM_KC 256
#endif
#ifndef GEMM_MC
#define GEMM_MC 256
#endif
#ifndef GEMM_NC
#define GEMM_NC 1024
#endif

/// C tile (mr <= MR rows, nr <= NR columns) = alpha * A slice (mr, kc) * packed B panel (kc, NR)
/// + beta * C tile (+ bias (nr) on every row when not NULL). A is read in place with unit depth
/// stride (rows of a row-major matrix).
void gemm_kernel_rows(int kc, const float *a, ptrdiff_t lda, int mr, const float *packedB,
                      float *c, ptrdiff_t ldc, int nr, float alpha, float beta, const float *bias);

/// The same with A packed as MR consecutive rows per depth step (see gemm_pack_a_transposed).
void gemm_kernel_packed(int kc, const float *packedA, int mr, const float *packedB,
                        float *c, ptrdiff_t ldc, int nr, float alpha, float beta, const float *bias);

/// Packs op(B)'s block (kc, nc) at depth p0, column j0 into NR-wide panels: panel q holds, for each
/// depth step, NR consecutive columns q * NR ..< q * NR + NR, zero beyond nc.
void gemm_pack_b(int transposeB, int kc, int nc, const float *b, ptrdiff_t ldb, int p0, int j0,
                 float *packed);

/// Packs the block (mc, kc) at row i0, depth p0 of a transposed A (op(A)(i, p) = a[p * lda + i])
/// into MR-tall panels: panel r holds, for each depth step, MR consecutive rows r * MR ..< r * MR
/// + MR, zero beyond mc. (A that is not transposed is read in place by gemm_kernel_rows.)
void gemm_pack_a_transposed(int mc, int kc, const float *a, ptrdiff_t lda, int i0, int p0, float *packed);

/// A 64-byte aligned scratch buffer of this thread with room for `count` floats (slot 0: A, 1: B).
float *gemm_scratch(int slot, size_t count);

#endif
