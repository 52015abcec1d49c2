// Max pooling along the sequence of channels-last activations, stride equal to the window.
#include "CKernels.h"
#include "VectorMath.h"

CKERNELS_VECTORIZED
void ckernels_maxpool_forward(int batch, int length, int channels, int kernelSize, const float *x,
                              float *y, float *winners) {
    const int pooled = length / kernelSize;
    for (int n = 0; n < batch; n++) {
        for (int l = 0; l < pooled; l++) {
            const float *restrict window = x + ((ptrdiff_t)n * length + (ptrdiff_t)l * kernelSize) * channels;
            float *restrict best = y + ((ptrdiff_t)n * pooled + l) * channels;
            float *restrict winner = winners + ((ptrdiff_t)n * pooled + l) * channels;
            for (int c = 0; c < channels; c++) best[c] = window[c], winner[c] = 0;
            // Ties keep the earlier position (as PyTorch); NaN wins.
            for (int k = 1; k < kernelSize; k++) {
                const float *restrict candidate = window + (ptrdiff_t)k * channels;
                for (int c = 0; c < channels; c++) {
                    float value = candidate[c];
                    int takes = value > best[c] || value != value;
                    best[c] = takes ? value : best[c];
                    winner[c] = takes ? (float)k : winner[c];
                }
            }
        }
    }
}

CKERNELS_VECTORIZED
void ckernels_maxpool_backward(int batch, int length, int channels, int kernelSize, const float *dy,
                               const float *winners, float *dx) {
    const int pooled = length / kernelSize;
    for (int n = 0; n < batch; n++) {
        for (int l = 0; l < pooled; l++) {
            const float *restrict gradient = dy + ((ptrdiff_t)n * pooled + l) * channels;
            const float *restrict winner = winners + ((ptrdiff_t)n * pooled + l) * channels;
            float *restrict window = dx + ((ptrdiff_t)n * length + (ptrdiff_t)l * kernelSize) * channels;
            for (int k = 0; k < kernelSize; k++) {
                float *restrict target = window + (ptrdiff_t)k * channels;
                for (int c = 0; c < channels; c++) target[c] = winner[c] == (float)k ? gradient[c] : 0.0f;
            }
        }
        // The ragged tail the pooling dropped gets no gradient.
        for (ptrdiff_t index = ((ptrdiff_t)n * length + (ptrdiff_t)pooled * kernelSize) * channels;
             index < ((ptrdiff_t)n + 1) * length * channels; index++) {
            dx[index] = 0;
        }
    }
}
