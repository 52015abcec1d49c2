// BatchNorm1d, ReLU and MaxPool1d(k) fused over channels-last activations (N, L, C): forward
// writes only the pooled result; backward recomputes the normalised values, the ReLU and the
// window winners from the block's input instead of storing them, so each direction reads the
// full-size activations once or twice instead of five or six times. Samples (or, for the sums,
// channels) are split over threads; every value is computed exactly as on one thread.
#include "CKernels.h"
#include "ParallelRanges.h"
#include "VectorMath.h"

// No fused multiply-adds here: this file recomputes what NormalizationKernels.c's passes store,
// and both must round identically whatever the compiler and target decide.
#pragma clang fp contract(off)

/// relu(gamma * (x - mean) * inverse + beta) and the normalised value, as BatchNorm1d computes them.
static inline __attribute__((always_inline)) float normalized_relu(float x, float mean, float inverse, float gamma, float beta, float *xhat) {
    float value = (x - mean) * inverse;
    *xhat = value;
    float out = gamma * value + beta;
    return out < 0 ? 0 : out;
}

/// Everything a fused pass needs; each entry point uses the fields it names.
typedef struct {
    int batch, length, channels, kernelSize;
    const float *x, *mean, *inverseDeviation, *gamma, *beta, *dPooled, *scale, *shift, *slope;
    float *pooled, *dx;
    double *sumDy, *sumDyNormalized;
} BlockJob;

CKERNELS_VECTORIZED
static void forward_range(const BlockJob *job, long n0, long n1) {
    const int length = job->length, channels = job->channels, kernelSize = job->kernelSize;
    const float *restrict mean = job->mean, *restrict inverseDeviation = job->inverseDeviation;
    const float *restrict gamma = job->gamma, *restrict beta = job->beta;
    const float *x = job->x;
    float *pooled = job->pooled;
    const int windows = length / kernelSize;
    for (long n = n0; n < n1; n++) {
        for (int w = 0; w < windows; w++) {
            const float *restrict window = x + ((ptrdiff_t)n * length + (ptrdiff_t)w * kernelSize) * channels;
            float *restrict best = pooled + ((ptrdiff_t)n * windows + w) * channels;
            for (int c = 0; c < channels; c++) {
                float xhat;
                best[c] = normalized_relu(window[c], mean[c], inverseDeviation[c], gamma[c], beta[c], &xhat);
            }
            // Ties keep the earlier position (as PyTorch); NaN wins.
            for (int k = 1; k < kernelSize; k++) {
                const float *restrict row = window + (ptrdiff_t)k * channels;
                for (int c = 0; c < channels; c++) {
                    float xhat;
                    float value = normalized_relu(row[c], mean[c], inverseDeviation[c], gamma[c], beta[c], &xhat);
                    best[c] = value > best[c] || value != value ? value : best[c];
                }
            }
        }
    }
}

static void forward_part(void *context, long n0, long n1) { forward_range(context, n0, n1); }

void ckernels_batchnorm_relu_maxpool_forward(int batch, int length, int channels, int kernelSize,
                                             const float *x, const float *mean, const float *inverseDeviation,
                                             const float *gamma, const float *beta, float *pooled) {
    BlockJob job = {.batch = batch, .length = length, .channels = channels, .kernelSize = kernelSize, .x = x,
                    .mean = mean, .inverseDeviation = inverseDeviation, .gamma = gamma, .beta = beta,
                    .pooled = pooled};
    ckernels_parallel_ranges(batch, (long)length * channels * 3 / 2, forward_part, &job);
}

/// Channels handled together in the backward passes (stack scratch per window).
enum { channelChunk = 64 };

/// For one window and channels [c0, c0 + count): the winning position's pooled gradient (zero
/// where the ReLU stopped it) in `passed`, the winner in `winner`; c stays innermost so the loops
/// vectorise.
static inline void window_winners(const float *restrict window, int channels, int kernelSize, int c0, int count,
                                  const float *mean, const float *inverseDeviation, const float *gamma,
                                  const float *beta, const float *restrict gradient, float *restrict passed,
                                  float *restrict winner) {
    float best[channelChunk];
    for (int c = 0; c < count; c++) {
        float xhat;
        best[c] = normalized_relu(window[c0 + c], mean[c0 + c], inverseDeviation[c0 + c], gamma[c0 + c],
                                  beta[c0 + c], &xhat);
        winner[c] = 0;
    }
    for (int k = 1; k < kernelSize; k++) {
        const float *restrict row = window + (ptrdiff_t)k * channels + c0;
        for (int c = 0; c < count; c++) {
            float xhat;
            float value = normalized_relu(row[c], mean[c0 + c], inverseDeviation[c0 + c], gamma[c0 + c],
                                          beta[c0 + c], &xhat);
            int takes = value > best[c] || value != value;
            best[c] = takes ? value : best[c];
            winner[c] = takes ? (float)k : winner[c];
        }
    }
    for (int c = 0; c < count; c++) passed[c] = best[c] > 0 ? gradient[c0 + c] : 0.0f;
}

CKERNELS_VECTORIZED
static void gradient_sums_range(const BlockJob *job, long cBegin, long cEnd) {
    const int batch = job->batch, length = job->length, channels = job->channels, kernelSize = job->kernelSize;
    const float *mean = job->mean, *inverseDeviation = job->inverseDeviation, *gamma = job->gamma, *beta = job->beta;
    double *restrict sumDy = job->sumDy, *restrict sumDyNormalized = job->sumDyNormalized;
    const int windows = length / kernelSize;
    for (long c = cBegin; c < cEnd; c++) sumDy[c] = 0, sumDyNormalized[c] = 0;
    float passed[channelChunk], winner[channelChunk];
    for (int n = 0; n < batch; n++) {
        for (int w = 0; w < windows; w++) {
            const float *restrict window = job->x + ((ptrdiff_t)n * length + (ptrdiff_t)w * kernelSize) * channels;
            const float *restrict gradient = job->dPooled + ((ptrdiff_t)n * windows + w) * channels;
            for (int c0 = (int)cBegin; c0 < cEnd; c0 += channelChunk) {
                int count = cEnd - c0 < channelChunk ? (int)cEnd - c0 : channelChunk;
                window_winners(window, channels, kernelSize, c0, count, mean, inverseDeviation, gamma, beta,
                               gradient, passed, winner);
                // Only the winner has a gradient; the other positions add zeros.
                for (int k = 0; k < kernelSize; k++) {
                    const float *restrict row = window + (ptrdiff_t)k * channels + c0;
                    for (int c = 0; c < count; c++) {
                        float dy = winner[c] == (float)k ? passed[c] : 0.0f;
                        float xhat = (row[c] - mean[c0 + c]) * inverseDeviation[c0 + c];
                        sumDy[c0 + c] += (double)dy;
                        sumDyNormalized[c0 + c] += (double)dy * (double)xhat;
                    }
                }
            }
        }
        // The ragged tail the pooling dropped has zero gradient: it adds nothing to the sums.
    }
}

static void gradient_sums_part(void *context, long c0, long c1) { gradient_sums_range(context, c0, c1); }

void ckernels_batchnorm_relu_maxpool_gradient_sums(int batch, int length, int channels, int kernelSize,
                                                   const float *x, const float *mean,
                                                   const float *inverseDeviation, const float *gamma,
                                                   const float *beta, const float *dPooled,
                                                   double *sumDy, double *sumDyNormalized) {
    BlockJob job = {.batch = batch, .length = length, .channels = channels, .kernelSize = kernelSize, .x = x,
                    .mean = mean, .inverseDeviation = inverseDeviation, .gamma = gamma, .beta = beta,
                    .dPooled = dPooled, .sumDy = sumDy, .sumDyNormalized = sumDyNormalized};
    ckernels_parallel_ranges(channels, (long)batch * length * 2, gradient_sums_part, &job);
}

CKERNELS_VECTORIZED
static void backward_range(const BlockJob *job, long n0, long n1) {
    const int length = job->length, channels = job->channels, kernelSize = job->kernelSize;
    const float *mean = job->mean, *inverseDeviation = job->inverseDeviation, *gamma = job->gamma, *beta = job->beta;
    const float *restrict scale = job->scale, *restrict shift = job->shift, *restrict slope = job->slope;
    const float *x = job->x, *dPooled = job->dPooled;
    float *dx = job->dx;
    const int windows = length / kernelSize;
    float passed[channelChunk], winner[channelChunk];
    for (long n = n0; n < n1; n++) {
        for (int w = 0; w < windows; w++) {
            ptrdiff_t offset = ((ptrdiff_t)n * length + (ptrdiff_t)w * kernelSize) * channels;
            const float *restrict window = x + offset;
            const float *restrict gradient = dPooled + ((ptrdiff_t)n * windows + w) * channels;
            for (int c0 = 0; c0 < channels; c0 += channelChunk) {
                int count = channels - c0 < channelChunk ? channels - c0 : channelChunk;
                window_winners(window, channels, kernelSize, c0, count, mean, inverseDeviation, gamma, beta,
                               gradient, passed, winner);
                for (int k = 0; k < kernelSize; k++) {
                    const float *restrict row = window + (ptrdiff_t)k * channels + c0;
                    float *restrict target = dx + offset + (ptrdiff_t)k * channels + c0;
                    for (int c = 0; c < count; c++) {
                        float dy = winner[c] == (float)k ? passed[c] : 0.0f;
                        float xhat = (row[c] - mean[c0 + c]) * inverseDeviation[c0 + c];
                        target[c] = scale[c0 + c] * (dy - shift[c0 + c] - xhat * slope[c0 + c]);
                    }
                }
            }
        }
        for (int l = windows * kernelSize; l < length; l++) {
            const float *restrict row = x + ((ptrdiff_t)n * length + l) * channels;
            float *restrict target = dx + ((ptrdiff_t)n * length + l) * channels;
            for (int c = 0; c < channels; c++) {
                float xhat = (row[c] - mean[c]) * inverseDeviation[c];
                target[c] = scale[c] * (0.0f - shift[c] - xhat * slope[c]);
            }
        }
    }
}

static void backward_part(void *context, long n0, long n1) { backward_range(context, n0, n1); }

void ckernels_batchnorm_relu_maxpool_backward(int batch, int length, int channels, int kernelSize,
                                              const float *x, const float *mean, const float *inverseDeviation,
                                              const float *gamma, const float *beta, const float *dPooled,
                                              const float *scale, const float *shift, const float *slope,
                                              float *dx) {
    BlockJob job = {.batch = batch, .length = length, .channels = channels, .kernelSize = kernelSize, .x = x,
                    .mean = mean, .inverseDeviation = inverseDeviation, .gamma = gamma, .beta = beta,
                    .dPooled = dPooled, .scale = scale, .shift = shift, .slope = slope, .dx = dx};
    ckernels_parallel_ranges(batch, (long)length * channels * 3, backward_part, &job);
}
