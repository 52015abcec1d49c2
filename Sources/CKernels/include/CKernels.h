#ifndef CKERNELS_H
#define CKERNELS_H

/// 1 when this CPU can run the AVX-512 kernels, 0 otherwise.
int ckernels_has_avx512(void);

#endif
