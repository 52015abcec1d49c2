// Even contiguous splits of a loop over the thread pool.
#include "CKernels.h"
#include "ParallelRanges.h"

/// Below this much work (roughly floats touched) a loop runs on the calling thread.
static const long parallelWorkThreshold = 1L << 16;

typedef struct {
    long count;
    ckernels_range_body body;
    void *context;
} RangeJob;

static void range_part(void *context, int part, int parts) {
    const RangeJob *job = context;
    long first = job->count * part / parts, last = job->count * (part + 1) / parts;
    if (first < last) job->body(job->context, first, last);
}

void ckernels_parallel_ranges(long count, long workPerItem, ckernels_range_body body, void *context) {
    if (count <= 0) return;
    int threads = ckernels_thread_count();
    long parts = threads < count ? threads : count;
    if (parts <= 1 || count * workPerItem < parallelWorkThreshold) {
        body(context, 0, count);
        return;
    }
    RangeJob job = {.count = count, .body = body, .context = context};
    ckernels_parallel((int)parts, range_part, &job);
}
