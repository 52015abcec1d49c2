#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>
#include <stdint.h>

// MARK: CPU features

/// 1 when this CPU can run the AVX-512 kernels, 0 otherwise.
int ckernels_has_avx512(void);

/// 1 when this CPU can run the AVX2 + FMA kernels, 0 otherwise.
int ckernels_has_avx2(void);

// MARK: GEMM (call with kernels the CPU has: ckernels_has_avx512, ckernels_has_avx2)

/// The GEMM micro-kernels: AVX-512 (8 x 32 tiles) or AVX2 + FMA (6 x 16 tiles). Packed B is laid
/// out for one of them and must be used with the same.
#define CKERNELS_GEMM_AVX512 0
#define CKERNELS_GEMM_AVX2 1

/// Row-major single-precision GEMM with cblas_sgemm's meaning, plus an optional row vector:
/// C = alpha op(A) op(B) + beta C + bias, op(A) (m, k), op(B) (k, n), C (m, n), bias (n) added to
/// every row (NULL for none). beta 0 ignores C's old contents, NaN included. Large products are
/// split over the thread pool; every element's sum runs in the same order whatever the split.
void ckernels_sgemm(int kernels, int transposeA, int transposeB, int m, int n, int k, float alpha,
                    const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc,
                    const float *bias);

/// The number of floats a packed op(B) of (k, n) occupies (see ckernels_sgemm_pack_b).
size_t ckernels_sgemm_packed_b_count(int kernels, int k, int n);

/// Packs op(B) (k, n) once into `packed` (ckernels_sgemm_packed_b_count floats, 64-byte aligned),
/// for products that reuse the same B many times (the LSTM's recurrent weights at every step).
void ckernels_sgemm_pack_b(int kernels, int transposeB, int k, int n, const float *b, int ldb, float *packed);

/// ckernels_sgemm with op(B) given packed by ckernels_sgemm_pack_b for the same k and n.
void ckernels_sgemm_packed(int kernels, int transposeA, int m, int n, int k, float alpha, const float *a,
                           int lda, const float *packedB, float beta, float *c, int ldc, const float *bias);

// MARK: Thread pool

/// A unit of parallel work: part `part` of `parts`.
typedef void (*ckernels_task)(void *context, int part, int parts);

/// Sets the number of threads the kernels use (at least 1); workers start on first use.
void ckernels_set_thread_count(int count);

/// The number of threads the kernels use.
int ckernels_thread_count(void);

/// Runs task(context, part, parts) for every part in 0..<parts, handed out to the pool's threads
/// (the caller's included) as they become free, and returns when all are done. Runs serially on
/// the caller when the pool is busy with another caller's work, has one thread, or is called from
/// inside a part.
void ckernels_parallel(int parts, ckernels_task task, void *context);

// MARK: Elementwise kernels (any x86-64; vectorised for the CPU at hand)
// Matrices are row-major; (R, C) means R rows of C values, `stride` the distance between rows.

/// One LSTM time step after its gate product, for `batch` rows: gates (4H: i, f, g, o) are
/// activated in place, cell = f * previousCell + i * g (previousCell NULL: zero), cellTanh =
/// tanh(cell), hiddenOutput = o * cellTanh.
void ckernels_lstm_step_forward(int batch, int hidden, float *gates, ptrdiff_t gateStride,
                                const float *previousCell, float *cell, float *cellTanh,
                                ptrdiff_t cellStride, float *hiddenOutput, ptrdiff_t hiddenStride);

/// The step's backward pass: from the activated gates, tanh(cell), the previous cell (NULL:
/// zero), the output gradient and the gradients flowing back from step t + 1 (dHiddenNext,
/// dCellNext), writes dGates (pre-activation) and replaces dCellNext with the cell gradient for
/// step t - 1.
void ckernels_lstm_step_backward(int batch, int hidden, const float *gates, ptrdiff_t gateStride,
                                 const float *cellTanh, const float *previousCell, ptrdiff_t cellStride,
                                 const float *dOutput, ptrdiff_t dOutputStride,
                                 const float *dHiddenNext, float *dCellNext, ptrdiff_t nextStride,
                                 float *dGates, ptrdiff_t dGateStride);

/// Per-channel mean (R, C) -> (C) and sum of squared deviations from it, in double.
void ckernels_channel_statistics(int rows, int channels, const float *x, double *mean, double *squares);

/// normalized = (x - mean) * inverseDeviation; y = gamma * normalized + beta, then max(y, 0)
/// when `relu` is set. All (R, C) with per-channel (C) vectors.
void ckernels_batchnorm_apply(int rows, int channels, const float *x, const float *mean,
                              const float *inverseDeviation, const float *gamma, const float *beta,
                              float *normalized, float *y, int relu);

/// Per-channel sums of dy and dy * normalized, in double; with `output` (the fused ReLU's
/// result) dy counts only where output > 0.
void ckernels_batchnorm_gradient_sums(int rows, int channels, const float *dy, const float *normalized,
                                      const float *output, double *sumDy, double *sumDyNormalized);

/// dx = scale * (dy - shift - normalized * slope), with dy masked by output > 0 when `output` is given.
void ckernels_batchnorm_backward_apply(int rows, int channels, const float *dy, const float *normalized,
                                       const float *output, const float *scale, const float *shift,
                                       const float *slope, float *dx);

/// BatchNorm1d (given mean and inverse deviation), ReLU and MaxPool1d(k) fused: x (N, L, C) ->
/// pooled (N, L / k, C), nothing else stored.
void ckernels_batchnorm_relu_maxpool_forward(int batch, int length, int channels, int kernelSize,
                                             const float *x, const float *mean, const float *inverseDeviation,
                                             const float *gamma, const float *beta, float *pooled);

/// The fused block's gradient sums (C), in double: dy is dPooled (N, L / k, C) at each window's
/// winner where the ReLU passed it, recomputed from x (N, L, C); sums of dy and dy * normalized.
void ckernels_batchnorm_relu_maxpool_gradient_sums(int batch, int length, int channels, int kernelSize,
                                                   const float *x, const float *mean,
                                                   const float *inverseDeviation, const float *gamma,
                                                   const float *beta, const float *dPooled,
                                                   double *sumDy, double *sumDyNormalized);

/// The fused block's input gradient dx (N, L, C) = scale * (dy - shift - normalized * slope),
/// with dy and normalized recomputed as in the gradient sums (the ragged tail has dy = 0).
void ckernels_batchnorm_relu_maxpool_backward(int batch, int length, int channels, int kernelSize,
                                              const float *x, const float *mean, const float *inverseDeviation,
                                              const float *gamma, const float *beta, const float *dPooled,
                                              const float *scale, const float *shift, const float *slope,
                                              float *dx);

/// Max pooling (N, L, C) -> y (N, L / k, C) with the winning window position (as a float) per
/// output; ties keep the earlier position, NaN wins.
void ckernels_maxpool_forward(int batch, int length, int channels, int kernelSize, const float *x,
                              float *y, float *winners);

/// dx (N, L, C) = each dy (N, L / k, C) at its window's winner, zero elsewhere (and in the tail).
void ckernels_maxpool_backward(int batch, int length, int channels, int kernelSize, const float *dy,
                               const float *winners, float *dx);

/// input (N, L, C) -> columns (N * Lout, K * C) of stride-1 windows, zero outside the sequence.
void ckernels_im2col(int batch, int length, int channels, int kernelSize, int padding,
                     const float *input, float *columns);

/// dInput (N, L, C) += the columns (N * Lout, K * C) folded back: the adjoint of ckernels_im2col.
void ckernels_col2im_add(int batch, int length, int channels, int kernelSize, int padding,
                         const float *columns, float *dInput);

/// sums (C) += the column sums of matrix (R, C), accumulated row by row.
void ckernels_add_column_sums(int rows, int columns, const float *matrix, float *sums);

/// One Adam step over `count` values (torch.optim.Adam: L2 weight decay, bias corrections folded
/// into stepSize = lr / (1 - beta1^t) and correction2Root = sqrt(1 - beta2^t)).
void ckernels_adam_update(long count, float *parameters, const float *gradients, float *firstMoments,
                          float *secondMoments, float beta1, float beta2, float epsilon, float weightDecay,
                          float stepSize, float correction2Root);

/// Softmax of each row of matrix (R, C) in place, with the row maximum subtracted.
void ckernels_softmax_rows(int rows, int columns, float *matrix, ptrdiff_t stride);

/// Inverted dropout with a xoshiro256** stream (state advanced in place, one draw per value, as
/// Tensor's SeededGenerator.nextUnitFloat): mask = draw >= probability ? scale : 0, output = input * mask.
void ckernels_dropout(uint64_t state[4], long count, float probability, float scale, const float *input,
                      float *mask, float *output);

#endif
