#ifndef CKERNELS_PARALLEL_RANGES_H
#define CKERNELS_PARALLEL_RANGES_H

/// The body of a parallel loop over [first, last) of some index (samples, rows, channels).
typedef void (*ckernels_range_body)(void *context, long first, long last);

/// Runs body over contiguous, disjoint ranges covering [0, count) on the thread pool: one range
/// per thread, or a single call when count * workPerItem is too small to be worth waking a thread.
/// Every kernel split this way computes each output exactly as a single call would.
void ckernels_parallel_ranges(long count, long workPerItem, ckernels_range_body body, void *context);

#endif
