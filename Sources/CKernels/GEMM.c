// The GEMM driver: cache blocking around the micro-kernels (GotoBLAS loop order), alpha/beta as
// cblas_sgemm, and the split of large products over the thread pool.
#include <stdlib.h>
#include <string.h>
#include "CKernels.h"
#include "GEMMInternal.h"

#if defined(__x86_64__)

const GEMMKernelSet gemm_avx512_kernels = {
    .mr = GEMM_AVX512_MR, .nr = GEMM_AVX512_NR, .mc = 32 * GEMM_AVX512_MR,
    .kernelRows = gemm_avx512_kernel_rows, .kernelPacked = gemm_avx512_kernel_packed,
    .packB = gemm_avx512_pack_b, .packATransposed = gemm_avx512_pack_a_transposed,
};

const GEMMKernelSet gemm_avx2_kernels = {
    .mr = GEMM_AVX2_MR, .nr = GEMM_AVX2_NR, .mc = 42 * GEMM_AVX2_MR,
    .kernelRows = gemm_avx2_kernel_rows, .kernelPacked = gemm_avx2_kernel_packed,
    .packB = gemm_avx2_pack_b, .packATransposed = gemm_avx2_pack_a_transposed,
};

/// The kernel set a CKERNELS_GEMM_* value names.
static const GEMMKernelSet *kernel_set(int kernels) {
    return kernels == CKERNELS_GEMM_AVX2 ? &gemm_avx2_kernels : &gemm_avx512_kernels;
}

/// One product, as the caller gave it; `packedB` replaces b/ldb/transposeB when not NULL.
typedef struct {
    const GEMMKernelSet *kernels;
    int transposeA, transposeB, m, n, k;
    float alpha, beta;
    const float *a, *b, *packedB;
    /// Added to every row of C (n values), or NULL.
    const float *bias;
    ptrdiff_t lda, ldb, ldc;
    float *c;
    /// How the threads share the product: by rows of C (1) or by NR-wide column panels (0).
    int splitRows;
} GEMMJob;

/// Products below this many multiply-adds run on the calling thread alone: waking a worker costs
/// about as much as they take.
static const double parallelThreshold = 1 << 18;

static inline int minimum(int x, int y) { return x < y ? x : y; }

static float *checked(float *buffer) {
    if (!buffer) abort();  // out of memory for a few hundred KB of scratch: nothing sensible left
    return buffer;
}

/// C[i0 ..< i1, j0 ..< j1] of the job on this thread (j0 a multiple of NR).
static void gemm_range(const GEMMJob *job, int i0, int i1, int j0, int j1) {
    const GEMMKernelSet *set = job->kernels;
    const int k = job->k, MR = set->mr, NR = set->nr, MC = set->mc;
    const int panelsTotal = (job->n + NR - 1) / NR;
    for (int jc = j0; jc < j1; jc += GEMM_NC) {
        const int nc = minimum(GEMM_NC, j1 - jc);
        for (int pc = 0; pc < k; pc += GEMM_KC) {
            const int kc = minimum(GEMM_KC, k - pc);
            // Later depth blocks add to what the first one wrote (with beta and the bias).
            const float beta = pc == 0 ? job->beta : 1.0f;
            const float *blockB;  // (kc, nc) as NR-wide panels
            if (job->packedB) {
                blockB = job->packedB + (size_t)pc * panelsTotal * NR + (size_t)(jc / NR) * kc * NR;
            } else {
                size_t count = (size_t)((nc + NR - 1) / NR) * NR * kc;
                float *scratchB = checked(gemm_scratch(1, count));
                set->packB(job->transposeB, kc, nc, job->b, job->ldb, pc, jc, scratchB);
                blockB = scratchB;
            }
            for (int ic = i0; ic < i1; ic += MC) {
                const int mc = minimum(MC, i1 - ic);
                float *blockA = NULL;  // (mc, kc) as MR-tall panels, only for transposed A
                if (job->transposeA) {
                    size_t count = (size_t)((mc + MR - 1) / MR) * MR * kc;
                    blockA = checked(gemm_scratch(0, count));
                    set->packATransposed(mc, kc, job->a, job->lda, ic, pc, blockA);
                }
                for (int jr = 0; jr < nc; jr += NR) {
                    const float *panelB = blockB + (size_t)(jr / NR) * kc * NR;
                    const int nr = minimum(NR, nc - jr);
                    const float *bias = pc == 0 && job->bias ? job->bias + jc + jr : NULL;
                    for (int ir = 0; ir < mc; ir += MR) {
                        const int mr = minimum(MR, mc - ir);
                        float *tile = job->c + (ptrdiff_t)(ic + ir) * job->ldc + jc + jr;
                        if (blockA) {
                            set->kernelPacked(kc, blockA + (size_t)(ir / MR) * kc * MR, mr, panelB,
                                               tile, job->ldc, nr, job->alpha, beta, bias);
                        } else {
                            set->kernelRows(kc, job->a + (ptrdiff_t)(ic + ir) * job->lda + pc, job->lda, mr,
                                             panelB, tile, job->ldc, nr, job->alpha, beta, bias);
                        }
                    }
                }
            }
        }
    }
}

/// Part `part` of `parts`: an even share of MR-row groups or NR-column panels.
static void gemm_part(void *context, int part, int parts) {
    const GEMMJob *job = context;
    const int MR = job->kernels->mr, NR = job->kernels->nr;
    if (job->splitRows) {
        int groups = (job->m + MR - 1) / MR;
        int first = (int)((long)groups * part / parts), last = (int)((long)groups * (part + 1) / parts);
        gemm_range(job, first * MR, minimum(last * MR, job->m), 0, job->n);
    } else {
        int panels = (job->n + NR - 1) / NR;
        int first = (int)((long)panels * part / parts), last = (int)((long)panels * (part + 1) / parts);
        gemm_range(job, 0, job->m, first * NR, minimum(last * NR, job->n));
    }
}

/// C = beta * C + bias (beta 0 ignores C), for k = 0.
static void scale_c(int m, int n, float beta, float *c, int ldc, const float *bias) {
    for (int i = 0; i < m; i++) {
        float *row = c + (ptrdiff_t)i * ldc;
        for (int j = 0; j < n; j++) {
            float value = beta == 0.0f ? 0.0f : beta * row[j];
            row[j] = bias ? value + bias[j] : value;
        }
    }
}

static void gemm_run(GEMMJob *job) {
    if (job->m <= 0 || job->n <= 0) return;
    if (job->k <= 0) {
        scale_c(job->m, job->n, job->beta, job->c, (int)job->ldc, job->bias);
        return;
    }
    int threads = ckernels_thread_count();
    double work = (double)job->m * job->n * job->k;
    int rowGroups = (job->m + job->kernels->mr - 1) / job->kernels->mr;
    int panels = (job->n + job->kernels->nr - 1) / job->kernels->nr;
    // Split the larger side: each thread packs what it shares (B when splitting rows, A when
    // splitting columns), so splitting the larger side duplicates the smaller packing.
    job->splitRows = job->m >= job->n ? rowGroups >= threads || panels < threads : panels < threads;
    int units = job->splitRows ? rowGroups : panels;
    int parts = work < parallelThreshold ? 1 : minimum(threads, units);
    if (parts <= 1) {
        gemm_range(job, 0, job->m, 0, job->n);
    } else {
        ckernels_parallel(parts, gemm_part, job);
    }
}

/// Per-thread scratch: two growing 64-byte aligned buffers (A and B blocks), kept for the
/// thread's lifetime so the step loop never allocates.
static _Thread_local float *scratch[2];
static _Thread_local size_t scratchCount[2];

float *gemm_scratch(int slot, size_t count) {
    if (scratchCount[slot] < count) {
        free(scratch[slot]);
        size_t bytes = (count * sizeof(float) + 63) & ~(size_t)63;
        scratch[slot] = aligned_alloc(64, bytes);
        scratchCount[slot] = scratch[slot] ? count : 0;
    }
    return scratch[slot];
}

void ckernels_sgemm(int kernels, int transposeA, int transposeB, int m, int n, int k, float alpha,
                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc,
                    const float *bias) {
    GEMMJob job = {
        .kernels = kernel_set(kernels), .transposeA = transposeA, .transposeB = transposeB, .m = m, .n = n, .k = k,
        .alpha = alpha, .beta = beta, .a = a, .b = b, .packedB = NULL, .bias = bias,
        .lda = lda, .ldb = ldb, .ldc = ldc, .c = c,
    };
    gemm_run(&job);
}

size_t ckernels_sgemm_packed_b_count(int kernels, int k, int n) {
    const int NR = kernel_set(kernels)->nr;
    return (size_t)((n + NR - 1) / NR) * NR * (size_t)(k > 0 ? k : 0);
}

void ckernels_sgemm_pack_b(int kernels, int transposeB, int k, int n, const float *b, int ldb, float *packed) {
    const GEMMKernelSet *set = kernel_set(kernels);
    const int panelsTotal = (n + set->nr - 1) / set->nr;
    for (int pc = 0; pc < k; pc += GEMM_KC) {
        const int kc = minimum(GEMM_KC, k - pc);
        set->packB(transposeB, kc, n, b, ldb, pc, 0, packed + (size_t)pc * panelsTotal * set->nr);
    }
}

void ckernels_sgemm_packed(int kernels, int transposeA, int m, int n, int k, float alpha, const float *a,
                           int lda, const float *packedB, float beta, float *c, int ldc, const float *bias) {
    GEMMJob job = {
        .kernels = kernel_set(kernels), .transposeA = transposeA, .transposeB = 0, .m = m, .n = n, .k = k,
        .alpha = alpha, .beta = beta, .a = a, .b = NULL, .packedB = packedB, .bias = bias,
        .lda = lda, .ldb = 0, .ldc = ldc, .c = c,
    };
    gemm_run(&job);
}

#else

void ckernels_sgemm(int kernels, int transposeA, int transposeB, int m, int n, int k, float alpha,
                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc,
                    const float *bias) {
    abort();  // only called when the CPU has the kernels (ckernels_has_avx512, ckernels_has_avx2)
}

size_t ckernels_sgemm_packed_b_count(int kernels, int k, int n) { return 0; }

void ckernels_sgemm_pack_b(int kernels, int transposeB, int k, int n, const float *b, int ldb, float *packed) {
    abort();
}

void ckernels_sgemm_packed(int kernels, int transposeA, int m, int n, int k, float alpha, const float *a,
                           int lda, const float *packedB, float beta, float *c, int ldc, const float *bias) {
    abort();
}

#endif
