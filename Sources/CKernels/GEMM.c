// The GEMM driver: cache blocking around the micro-kernels (GotoBLAS loop order), alpha/beta as
// cblas_sgemm, and the split of large products over the thread pool.
#include <stdlib.h>
#include "CKernels.h"
#include "GEMMInternal.h"

#if defined(__x86_64__)

/// One product, as the caller gave it; `packedB` replaces b/ldb/transposeB when not NULL.
typedef struct {
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
    const int k = job->k;
    const int panelsTotal = (job->n + GEMM_NR - 1) / GEMM_NR;
    for (int jc = j0; jc < j1; jc += GEMM_NC) {
        const int nc = minimum(GEMM_NC, j1 - jc);
        for (int pc = 0; pc < k; pc += GEMM_KC) {
            const int kc = minimum(GEMM_KC, k - pc);
            // Later depth blocks add to what the first one wrote (with beta and the bias).
            const float beta = pc == 0 ? job->beta : 1.0f;
            const float *blockB;  // (kc, nc) as NR-wide panels
            if (job->packedB) {
                blockB = job->packedB + (size_t)pc * panelsTotal * GEMM_NR + (size_t)(jc / GEMM_NR) * kc * GEMM_NR;
            } else {
                size_t count = (size_t)((nc + GEMM_NR - 1) / GEMM_NR) * GEMM_NR * kc;
                float *scratchB = checked(gemm_scratch(1, count));
                gemm_pack_b(job->transposeB, kc, nc, job->b, job->ldb, pc, jc, scratchB);
                blockB = scratchB;
            }
            for (int ic = i0; ic < i1; ic += GEMM_MC) {
                const int mc = minimum(GEMM_MC, i1 - ic);
                float *blockA = NULL;  // (mc, kc) as MR-tall panels, only for transposed A
                if (job->transposeA) {
                    size_t count = (size_t)((mc + GEMM_MR - 1) / GEMM_MR) * GEMM_MR * kc;
                    blockA = checked(gemm_scratch(0, count));
                    gemm_pack_a_transposed(mc, kc, job->a, job->lda, ic, pc, blockA);
                }
                for (int jr = 0; jr < nc; jr += GEMM_NR) {
                    const float *panelB = blockB + (size_t)(jr / GEMM_NR) * kc * GEMM_NR;
                    const int nr = minimum(GEMM_NR, nc - jr);
                    const float *bias = pc == 0 && job->bias ? job->bias + jc + jr : NULL;
                    for (int ir = 0; ir < mc; ir += GEMM_MR) {
                        const int mr = minimum(GEMM_MR, mc - ir);
                        float *tile = job->c + (ptrdiff_t)(ic + ir) * job->ldc + jc + jr;
                        if (blockA) {
                            gemm_kernel_packed(kc, blockA + (size_t)(ir / GEMM_MR) * kc * GEMM_MR, mr, panelB,
                                               tile, job->ldc, nr, job->alpha, beta, bias);
                        } else {
                            gemm_kernel_rows(kc, job->a + (ptrdiff_t)(ic + ir) * job->lda + pc, job->lda, mr,
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
    if (job->splitRows) {
        int groups = (job->m + GEMM_MR - 1) / GEMM_MR;
        int first = (int)((long)groups * part / parts), last = (int)((long)groups * (part + 1) / parts);
        gemm_range(job, first * GEMM_MR, minimum(last * GEMM_MR, job->m), 0, job->n);
    } else {
        int panels = (job->n + GEMM_NR - 1) / GEMM_NR;
        int first = (int)((long)panels * part / parts), last = (int)((long)panels * (part + 1) / parts);
        gemm_range(job, 0, job->m, first * GEMM_NR, minimum(last * GEMM_NR, job->n));
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
    int rowGroups = (job->m + GEMM_MR - 1) / GEMM_MR;
    int panels = (job->n + GEMM_NR - 1) / GEMM_NR;
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

void ckernels_sgemm(int transposeA, int transposeB, int m, int n, int k, float alpha,
                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc,
                    const float *bias) {
    GEMMJob job = {
        .transposeA = transposeA, .transposeB = transposeB, .m = m, .n = n, .k = k,
        .alpha = alpha, .beta = beta, .a = a, .b = b, .packedB = NULL, .bias = bias,
        .lda = lda, .ldb = ldb, .ldc = ldc, .c = c,
    };
    gemm_run(&job);
}

size_t ckernels_sgemm_packed_b_count(int k, int n) {
    return (size_t)((n + GEMM_NR - 1) / GEMM_NR) * GEMM_NR * (size_t)(k > 0 ? k : 0);
}

void ckernels_sgemm_pack_b(int transposeB, int k, int n, const float *b, int ldb, float *packed) {
    const int panelsTotal = (n + GEMM_NR - 1) / GEMM_NR;
    for (int pc = 0; pc < k; pc += GEMM_KC) {
        const int kc = minimum(GEMM_KC, k - pc);
        gemm_pack_b(transposeB, kc, n, b, ldb, pc, 0, packed + (size_t)pc * panelsTotal * GEMM_NR);
    }
}

void ckernels_sgemm_packed(int transposeA, int m, int n, int k, float alpha, const float *a, int lda,
                           const float *packedB, float beta, float *c, int ldc, const float *bias) {
    GEMMJob job = {
        .transposeA = transposeA, .transposeB = 0, .m = m, .n = n, .k = k,
        .alpha = alpha, .beta = beta, .a = a, .b = NULL, .packedB = packedB, .bias = bias,
        .lda = lda, .ldb = 0, .ldc = ldc, .c = c,
    };
    gemm_run(&job);
}

#else

void ckernels_sgemm(int transposeA, int transposeB, int m, int n, int k, float alpha,
                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc,
                    const float *bias) {
    abort();  // only called when ckernels_has_avx512()
}

size_t ckernels_sgemm_packed_b_count(int k, int n) { return 0; }

void ckernels_sgemm_pack_b(int transposeB, int k, int n, const float *b, int ldb, float *packed) {
    abort();
}

void ckernels_sgemm_packed(int transposeA, int m, int n, int k, float alpha, const float *a, int lda,
                           const float *packedB, float beta, float *c, int ldc, const float *bias) {
    abort();
}

#endif
