// The elementwise half of an LSTM time step (the matrix products are GEMMs), for a slice of the
// batch: gate nonlinearities and the cell update forward, their derivatives backward. On AVX-512
// the forward step uses explicit vectors (VectorMath512.h: no divisions); elsewhere plain loops.
#include "CKernels.h"
#include "VectorMath.h"

#if defined(__x86_64__)
#include "VectorMath512.h"

/// The mask of the first `count` lanes (all for count >= 16).
static inline __mmask16 tail_mask(int count) {
    return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}

CKERNELS_AVX512
static void step_forward_avx512(int batch, int hidden, float *gates, ptrdiff_t gateStride,
                                const float *previousCell, float *cell, float *cellTanh, ptrdiff_t cellStride,
                                float *hiddenOutput, ptrdiff_t hiddenStride) {
    const int h = hidden;
    for (int n = 0; n < batch; n++) {
        float *g = gates + n * gateStride;  // (4H): i, f, g, o
        float *c = cell + n * cellStride;
        float *squashed = cellTanh + n * cellStride;
        float *y = hiddenOutput + n * hiddenStride;
        const float *before = previousCell ? previousCell + n * cellStride : NULL;
        for (int j = 0; j < h; j += 16) {
            __mmask16 mask = tail_mask(h - j);
            __m512 inputGate = sigmoid512(_mm512_maskz_loadu_ps(mask, g + j));
            __m512 forgetGate = sigmoid512(_mm512_maskz_loadu_ps(mask, g + h + j));
            __m512 candidate = tanh512(_mm512_maskz_loadu_ps(mask, g + 2 * h + j));
            __m512 outputGate = sigmoid512(_mm512_maskz_loadu_ps(mask, g + 3 * h + j));
            __m512 state = _mm512_mul_ps(inputGate, candidate);
            if (before) state = _mm512_fmadd_ps(forgetGate, _mm512_maskz_loadu_ps(mask, before + j), state);
            __m512 t = tanh512(state);
            _mm512_mask_storeu_ps(g + j, mask, inputGate);
            _mm512_mask_storeu_ps(g + h + j, mask, forgetGate);
            _mm512_mask_storeu_ps(g + 2 * h + j, mask, candidate);
            _mm512_mask_storeu_ps(g + 3 * h + j, mask, outputGate);
            _mm512_mask_storeu_ps(c + j, mask, state);
            _mm512_mask_storeu_ps(squashed + j, mask, t);
            _mm512_mask_storeu_ps(y + j, mask, _mm512_mul_ps(outputGate, t));
        }
    }
}
#endif

CKERNELS_VECTORIZED
static void step_forward_portable(int batch, int hidden, float *gates, ptrdiff_t gateStride,
                                  const float *previousCell, float *cell, float *cellTanh, ptrdiff_t cellStride,
                                  float *hiddenOutput, ptrdiff_t hiddenStride) {
    const int h = hidden;
    for (int n = 0; n < batch; n++) {
        float *restrict g = gates + n * gateStride;  // (4H): i, f, g, o
        float *restrict c = cell + n * cellStride;
        float *restrict squashed = cellTanh + n * cellStride;
        float *restrict y = hiddenOutput + n * hiddenStride;
        const float *restrict before = previousCell ? previousCell + n * cellStride : NULL;
        for (int j = 0; j < 2 * h; j++) g[j] = vector_sigmoid(g[j]);
        for (int j = 2 * h; j < 3 * h; j++) g[j] = vector_tanh(g[j]);
        for (int j = 3 * h; j < 4 * h; j++) g[j] = vector_sigmoid(g[j]);
        if (before) {
            for (int j = 0; j < h; j++) c[j] = g[h + j] * before[j] + g[j] * g[2 * h + j];
        } else {
            for (int j = 0; j < h; j++) c[j] = g[j] * g[2 * h + j];
        }
        for (int j = 0; j < h; j++) {
            float t = vector_tanh(c[j]);
            squashed[j] = t;
            y[j] = g[3 * h + j] * t;
        }
    }
}

void ckernels_lstm_step_forward(int batch, int hidden, float *gates, ptrdiff_t gateStride,
                                const float *previousCell, float *cell, float *cellTanh,
                                ptrdiff_t cellStride, float *hiddenOutput, ptrdiff_t hiddenStride) {
#if defined(__x86_64__)
    if (ckernels_has_avx512()) {
        step_forward_avx512(batch, hidden, gates, gateStride, previousCell, cell, cellTanh, cellStride,
                            hiddenOutput, hiddenStride);
        return;
    }
#endif
    step_forward_portable(batch, hidden, gates, gateStride, previousCell, cell, cellTanh, cellStride,
                          hiddenOutput, hiddenStride);
}

CKERNELS_VECTORIZED
void ckernels_lstm_step_backward(int batch, int hidden, const float *gates, ptrdiff_t gateStride,
                                 const float *cellTanh, const float *previousCell, ptrdiff_t cellStride,
                                 const float *dOutput, ptrdiff_t dOutputStride,
                                 const float *dHiddenNext, float *dCellNext, ptrdiff_t nextStride,
                                 float *dGates, ptrdiff_t dGateStride) {
    const int h = hidden;
    for (int n = 0; n < batch; n++) {
        const float *restrict g = gates + n * gateStride;
        const float *restrict squashed = cellTanh + n * cellStride;
        const float *restrict before = previousCell ? previousCell + n * cellStride : NULL;
        const float *restrict dy = dOutput + n * dOutputStride;
        const float *restrict dhNext = dHiddenNext + n * nextStride;
        float *restrict dcNext = dCellNext + n * nextStride;
        float *restrict dg = dGates + n * dGateStride;
        for (int j = 0; j < h; j++) {
            float inputGate = g[j], forgetGate = g[h + j], candidate = g[2 * h + j], outputGate = g[3 * h + j];
            float t = squashed[j];
            float dHidden = dy[j] + dhNext[j];
            float dCell = dHidden * outputGate * (1 - t * t) + dcNext[j];
            float cPrevious = before ? before[j] : 0.0f;
            dg[j] = dCell * candidate * inputGate * (1 - inputGate);
            dg[h + j] = dCell * cPrevious * forgetGate * (1 - forgetGate);
            dg[2 * h + j] = dCell * inputGate * (1 - candidate * candidate);
            dg[3 * h + j] = dHidden * t * outputGate * (1 - outputGate);
            dcNext[j] = dCell * forgetGate;
        }
    }
}
