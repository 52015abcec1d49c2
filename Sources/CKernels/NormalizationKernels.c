// Batch normalisation over channels-last rows (R, C): statistics, the normalising pass (with an
// optional ReLU fused in) and the backward pass. Reductions split the channels over threads and
// elementwise passes the rows, so every value is computed exactly as on one thread.
#include "CKernels.h"
#include "ParallelRanges.h"
#include "VectorMath.h"

// No fused multiply-adds here: the fused block (ConvolutionBlockKernels.c) recomputes what these
// passes store, and both must round identically whatever the compiler and target decide.
#pragma clang fp contract(off)

// MARK: Serial kernels over a range (rows [r0, r1) or channels [c0, c1)); `stride` = C.

CKERNELS_VECTORIZED
static void statistics_range(int rows, ptrdiff_t stride, int c0, int c1, const float *x, double *mean,
                             double *squares) {
    // Two passes in double: the mean, then the sum of squared deviations around it.
    for (int c = c0; c < c1; c++) mean[c] = 0, squares[c] = 0;
    for (int r = 0; r < rows; r++) {
        const float *restrict row = x + r * stride;
        for (int c = c0; c < c1; c++) mean[c] += (double)row[c];
    }
    for (int c = c0; c < c1; c++) mean[c] /= (double)rows;
    for (int r = 0; r < rows; r++) {
        const float *restrict row = x + r * stride;
        for (int c = c0; c < c1; c++) {
            double centered = (double)row[c] - mean[c];
            squares[c] += centered * centered;
        }
    }
}

CKERNELS_VECTORIZED
static void apply_range(long r0, long r1, int channels, const float *x, const float *restrict mean,
                        const float *restrict inverseDeviation, const float *restrict gamma,
                        const float *restrict beta, float *normalized, float *y, int relu) {
    for (long r = r0; r < r1; r++) {
        const float *restrict xRow = x + r * channels;
        float *restrict xhat = normalized + r * channels;
        float *restrict yRow = y + r * channels;
        if (relu) {
            for (int c = 0; c < channels; c++) {
                float value = (xRow[c] - mean[c]) * inverseDeviation[c];
                xhat[c] = value;
                float out = gamma[c] * value + beta[c];
                yRow[c] = out < 0 ? 0 : out;
            }
        } else {
            for (int c = 0; c < channels; c++) {
                float value = (xRow[c] - mean[c]) * inverseDeviation[c];
                xhat[c] = value;
                yRow[c] = gamma[c] * value + beta[c];
            }
        }
    }
}

CKERNELS_VECTORIZED
static void gradient_sums_range(int rows, ptrdiff_t stride, int c0, int c1, const float *dy,
                                const float *normalized, const float *output, double *sumDy,
                                double *sumDyNormalized) {
    for (int c = c0; c < c1; c++) sumDy[c] = 0, sumDyNormalized[c] = 0;
    for (int r = 0; r < rows; r++) {
        const float *restrict dyRow = dy + r * stride;
        const float *restrict xhat = normalized + r * stride;
        if (output) {
            // Through the fused ReLU: the gradient passes where the output was positive.
            const float *restrict yRow = output + r * stride;
            for (int c = c0; c < c1; c++) {
                double gradient = yRow[c] > 0 ? (double)dyRow[c] : 0.0;
                sumDy[c] += gradient;
                sumDyNormalized[c] += gradient * (double)xhat[c];
            }
        } else {
            for (int c = c0; c < c1; c++) {
                sumDy[c] += (double)dyRow[c];
                sumDyNormalized[c] += (double)dyRow[c] * (double)xhat[c];
            }
        }
    }
}

CKERNELS_VECTORIZED
static void backward_range(long r0, long r1, int channels, const float *dy, const float *normalized,
                           const float *output, const float *restrict scale, const float *restrict shift,
                           const float *restrict slope, float *dx) {
    for (long r = r0; r < r1; r++) {
        const float *restrict dyRow = dy + r * channels;
        const float *restrict xhat = normalized + r * channels;
        float *restrict dxRow = dx + r * channels;
        if (output) {
            const float *restrict yRow = output + r * channels;
            for (int c = 0; c < channels; c++) {
                float gradient = yRow[c] > 0 ? dyRow[c] : 0.0f;
                dxRow[c] = scale[c] * (gradient - shift[c] - xhat[c] * slope[c]);
            }
        } else {
            for (int c = 0; c < channels; c++) {
                dxRow[c] = scale[c] * (dyRow[c] - shift[c] - xhat[c] * slope[c]);
            }
        }
    }
}

// MARK: Parallel entry points

typedef struct {
    int rows, channels;
    const float *x, *dy, *normalized, *output;
    const float *mean, *inverseDeviation, *gamma, *beta, *scale, *shift, *slope;
    float *y, *normalizedOut, *dx;
    double *sumA, *sumB;
    int relu;
} NormalizationJob;

static void statistics_part(void *context, long c0, long c1) {
    const NormalizationJob *job = context;
    statistics_range(job->rows, job->channels, (int)c0, (int)c1, job->x, job->sumA, job->sumB);
}

void ckernels_channel_statistics(int rows, int channels, const float *x, double *mean, double *squares) {
    NormalizationJob job = {.rows = rows, .channels = channels, .x = x, .sumA = mean, .sumB = squares};
    ckernels_parallel_ranges(channels, 2L * rows, statistics_part, &job);
}

static void apply_part(void *context, long r0, long r1) {
    const NormalizationJob *job = context;
    apply_range(r0, r1, job->channels, job->x, job->mean, job->inverseDeviation, job->gamma, job->beta,
                job->normalizedOut, job->y, job->relu);
}

void ckernels_batchnorm_apply(int rows, int channels, const float *x, const float *mean,
                              const float *inverseDeviation, const float *gamma, const float *beta,
                              float *normalized, float *y, int relu) {
    NormalizationJob job = {.rows = rows, .channels = channels, .x = x, .mean = mean,
                            .inverseDeviation = inverseDeviation, .gamma = gamma, .beta = beta,
                            .normalizedOut = normalized, .y = y, .relu = relu};
    ckernels_parallel_ranges(rows, 3L * channels, apply_part, &job);
}

static void gradient_sums_part(void *context, long c0, long c1) {
    const NormalizationJob *job = context;
    gradient_sums_range(job->rows, job->channels, (int)c0, (int)c1, job->dy, job->normalized, job->output,
                        job->sumA, job->sumB);
}

void ckernels_batchnorm_gradient_sums(int rows, int channels, const float *dy, const float *normalized,
                                      const float *output, double *sumDy, double *sumDyNormalized) {
    NormalizationJob job = {.rows = rows, .channels = channels, .dy = dy, .normalized = normalized,
                            .output = output, .sumA = sumDy, .sumB = sumDyNormalized};
    ckernels_parallel_ranges(channels, 3L * rows, gradient_sums_part, &job);
}

static void backward_part(void *context, long r0, long r1) {
    const NormalizationJob *job = context;
    backward_range(r0, r1, job->channels, job->dy, job->normalized, job->output, job->scale, job->shift,
                   job->slope, job->dx);
}

void ckernels_batchnorm_backward_apply(int rows, int channels, const float *dy, const float *normalized,
                                       const float *output, const float *scale, const float *shift,
                                       const float *slope, float *dx) {
    NormalizationJob job = {.rows = rows, .channels = channels, .dy = dy, .normalized = normalized,
                            .output = output, .scale = scale, .shift = shift, .slope = slope, .dx = dx};
    ckernels_parallel_ranges(rows, 4L * channels, backward_part, &job);
}
