// Layout kernels for channels-last sequences (N, L, C): the im2col unfolding of stride-1 1-D
// convolution windows and its adjoint.
#include <string.h>
#include "CKernels.h"
#include "ParallelRanges.h"
#include "VectorMath.h"

/// A layout pass: samples are independent and split over threads.
typedef struct {
    int length, channels, kernelSize, padding;
    const float *source;
    float *target;
} SequenceJob;

static void im2col_part(void *context, long n0, long n1) {
    const SequenceJob *job = context;
    const int length = job->length, channels = job->channels, kernelSize = job->kernelSize, padding = job->padding;
    const float *input = job->source;
    float *columns = job->target;
    const int outputLength = length + 2 * padding - kernelSize + 1;
    const size_t rowWidth = (size_t)kernelSize * channels;
    for (long n = n0; n < n1; n++) {
        const float *sample = input + (size_t)n * length * channels;
        for (int l = 0; l < outputLength; l++) {
            float *row = columns + ((size_t)n * outputLength + l) * rowWidth;
            const int first = l - padding;  // input row under the window's first tap
            if (first >= 0 && first + kernelSize <= length) {
                // The whole window is inside: one contiguous run of K * C values.
                memcpy(row, sample + (size_t)first * channels, rowWidth * sizeof(float));
                continue;
            }
            for (int k = 0; k < kernelSize; k++) {
                const int source = first + k;
                float *target = row + (size_t)k * channels;
                if (source >= 0 && source < length) {
                    memcpy(target, sample + (size_t)source * channels, (size_t)channels * sizeof(float));
                } else {
                    memset(target, 0, (size_t)channels * sizeof(float));
                }
            }
        }
    }
}

void ckernels_im2col(int batch, int length, int channels, int kernelSize, int padding,
                     const float *input, float *columns) {
    SequenceJob job = {.length = length, .channels = channels, .kernelSize = kernelSize, .padding = padding,
                       .source = input, .target = columns};
    ckernels_parallel_ranges(batch, (long)length * kernelSize * channels, im2col_part, &job);
}

CKERNELS_VECTORIZED
static void col2im_range(const SequenceJob *job, long n0, long n1) {
    const int length = job->length, channels = job->channels, kernelSize = job->kernelSize, padding = job->padding;
    const float *columns = job->source;
    float *dInput = job->target;
    const int outputLength = length + 2 * padding - kernelSize + 1;
    const size_t rowWidth = (size_t)kernelSize * channels;
    for (long n = n0; n < n1; n++) {
        float *sample = dInput + (size_t)n * length * channels;
        for (int l = 0; l < outputLength; l++) {
            const float *row = columns + ((size_t)n * outputLength + l) * rowWidth;
            for (int k = 0; k < kernelSize; k++) {
                const int target = l - padding + k;
                if (target < 0 || target >= length) continue;
                float *restrict destination = sample + (size_t)target * channels;
                const float *restrict source = row + (size_t)k * channels;
                for (int c = 0; c < channels; c++) destination[c] += source[c];
            }
        }
    }
}

static void col2im_part(void *context, long n0, long n1) { col2im_range(context, n0, n1); }

void ckernels_col2im_add(int batch, int length, int channels, int kernelSize, int padding,
                         const float *columns, float *dInput) {
    SequenceJob job = {.length = length, .channels = channels, .kernelSize = kernelSize, .padding = padding,
                       .source = columns, .target = dInput};
    ckernels_parallel_ranges(batch, (long)length * kernelSize * channels * 2, col2im_part, &job);
}
