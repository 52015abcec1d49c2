// Small vectorised loops shared by the layers: column sums (bias gradients), Adam, softmax, dropout.
#include <stdint.h>
#include "CKernels.h"
#include "ParallelRanges.h"
#include "VectorMath.h"

typedef struct {
    int rows, columns;
    const float *matrix;
    float *sums;
} ColumnSumsJob;

/// Columns [c0, c1) summed row by row: threads split the columns, so each sum runs in row order.
CKERNELS_VECTORIZED
static void column_sums_range(const ColumnSumsJob *job, long c0, long c1) {
    for (int r = 0; r < job->rows; r++) {
        const float *restrict row = job->matrix + (ptrdiff_t)r * job->columns;
        float *restrict total = job->sums;
        for (long c = c0; c < c1; c++) total[c] += row[c];
    }
}

static void column_sums_part(void *context, long c0, long c1) { column_sums_range(context, c0, c1); }

void ckernels_add_column_sums(int rows, int columns, const float *matrix, float *sums) {
    ColumnSumsJob job = {.rows = rows, .columns = columns, .matrix = matrix, .sums = sums};
    ckernels_parallel_ranges(columns, rows, column_sums_part, &job);
}

typedef struct {
    float *parameters, *firstMoments, *secondMoments;
    const float *gradients;
    float beta1, beta2, epsilon, weightDecay, stepSize, correction2Root;
} AdamJob;

CKERNELS_VECTORIZED
static void adam_range(const AdamJob *job, long first, long last) {
    float *restrict p = job->parameters;
    const float *restrict g = job->gradients;
    float *restrict m = job->firstMoments;
    float *restrict v = job->secondMoments;
    const float beta1 = job->beta1, beta2 = job->beta2, epsilon = job->epsilon, weightDecay = job->weightDecay;
    const float stepSize = job->stepSize, correction2Root = job->correction2Root;
    for (long i = first; i < last; i++) {
        float gradient = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
        m[i] += (1 - beta1) * (gradient - m[i]);
        v[i] = beta2 * v[i] + (1 - beta2) * gradient * gradient;
        float denominator = __builtin_elementwise_sqrt(v[i]) / correction2Root + epsilon;
        p[i] -= stepSize * (m[i] / denominator);
    }
}

static void adam_part(void *context, long first, long last) { adam_range(context, first, last); }

void ckernels_adam_update(long count, float *parameters, const float *gradients, float *firstMoments,
                          float *secondMoments, float beta1, float beta2, float epsilon, float weightDecay,
                          float stepSize, float correction2Root) {
    AdamJob job = {.parameters = parameters, .firstMoments = firstMoments, .secondMoments = secondMoments,
                   .gradients = gradients, .beta1 = beta1, .beta2 = beta2, .epsilon = epsilon,
                   .weightDecay = weightDecay, .stepSize = stepSize, .correction2Root = correction2Root};
    ckernels_parallel_ranges(count, 4, adam_part, &job);
}

CKERNELS_VECTORIZED
void ckernels_softmax_rows(int rows, int columns, float *matrix, ptrdiff_t stride) {
    for (int r = 0; r < rows; r++) {
        float *restrict row = matrix + (ptrdiff_t)r * stride;
        float maximum = -__builtin_inff();
        for (int c = 0; c < columns; c++) maximum = row[c] > maximum ? row[c] : maximum;
        for (int c = 0; c < columns; c++) row[c] = vector_exp(row[c] - maximum);
        float total = 0;
        for (int c = 0; c < columns; c++) total += row[c];
        float inverse = 1 / total;
        for (int c = 0; c < columns; c++) row[c] *= inverse;
    }
}

void ckernels_dropout(uint64_t state[4], long count, float probability, float scale, const float *input,
                      float *mask, float *output) {
    // xoshiro256** as Tensor's SeededGenerator, one uniform float (top 24 bits) per value.
    uint64_t s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3];
    for (long i = 0; i < count; i++) {
        uint64_t product = s1 * 5;
        uint64_t result = ((product << 7) | (product >> 57)) * 9;
        uint64_t shifted = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= shifted;
        s3 = (s3 << 45) | (s3 >> 19);
        float uniform = (float)(result >> 40) * (1.0f / 16777216.0f);
        float keep = uniform >= probability ? scale : 0.0f;
        mask[i] = keep;
        output[i] = input[i] * keep;
    }
    state[0] = s0, state[1] = s1, state[2] = s2, state[3] = s3;
}
