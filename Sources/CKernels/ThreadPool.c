// A small persistent thread pool for the kernels: workers spin briefly after each job (the LSTM
// issues a product every few microseconds) and then sleep on a condition variable.
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

enum { maximumWorkers = 63 };
/// Pause instructions a worker spins before sleeping (a few hundred microseconds).
enum { spinLimit = 4000 };

static struct {
    /// Serialises callers: one parallel job at a time; a second caller runs its job serially.
    pthread_mutex_t dispatch;
    /// Guards sleeping and waking (with `wake`).
    pthread_mutex_t sleep;
    pthread_cond_t wake;
    /// Bumped once per job; workers run a job when they see it change.
    atomic_uint generation;
    /// Started workers that have not acknowledged the current job.
    atomic_int remaining;
    /// The next part of the current job to hand out.
    atomic_int nextPart;
    /// Threads in use, the caller included (at least 1).
    atomic_int threadCount;
    /// Workers started so far (they are never stopped).
    int started;
    ckernels_task task;
    void *context;
    int parts;
    /// Workers taking part in the current job.
    int active;
    /// The generation each worker was created in (written before pthread_create).
    unsigned startGeneration[maximumWorkers];
} pool = {
    .dispatch = PTHREAD_MUTEX_INITIALIZER,
    .sleep = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .threadCount = 1,
};

/// True on a thread while it runs parts of a job: a nested ckernels_parallel (a GEMM inside a
/// part) then runs serially on that thread instead of waiting for a pool that is busy with it.
static _Thread_local int insideJob;

/// Takes parts of the current job until none are left.
static void run_parts(void) {
    insideJob = 1;
    int part;
    while ((part = atomic_fetch_add_explicit(&pool.nextPart, 1, memory_order_relaxed)) < pool.parts) {
        pool.task(pool.context, part, pool.parts);
    }
    insideJob = 0;
}

static void *worker_main(void *argument) {
    const int index = (int)(size_t)argument;  // 0-based
    // The generation when this worker was created: a job announced since then is for it too.
    unsigned seen = pool.startGeneration[index];
    for (;;) {
        unsigned current;
        int spins = 0;
        while ((current = atomic_load_explicit(&pool.generation, memory_order_acquire)) == seen && spins < spinLimit) {
            CPU_RELAX();
            spins++;
        }
        if (current == seen) {
            pthread_mutex_lock(&pool.sleep);
            while ((current = atomic_load_explicit(&pool.generation, memory_order_acquire)) == seen) {
                pthread_cond_wait(&pool.wake, &pool.sleep);
            }
            pthread_mutex_unlock(&pool.sleep);
        }
        seen = current;
        // Every started worker acknowledges every job (so none can miss one); only the first
        // `active` take parts, which keeps a lowered thread count honest.
        if (index < pool.active) run_parts();
        atomic_fetch_sub_explicit(&pool.remaining, 1, memory_order_release);
    }
    return NULL;
}

void ckernels_set_thread_count(int count) {
    if (count < 1) count = 1;
    if (count > maximumWorkers + 1) count = maximumWorkers + 1;
    atomic_store(&pool.threadCount, count);
}

int ckernels_thread_count(void) {
    return atomic_load_explicit(&pool.threadCount, memory_order_relaxed);
}

/// A forked child has none of the parent's workers: forget them (they would never acknowledge).
static void forget_workers_after_fork(void) {
    pool.started = 0;
    pthread_mutex_init(&pool.dispatch, NULL);
    pthread_mutex_init(&pool.sleep, NULL);
    pthread_cond_init(&pool.wake, NULL);
}

static pthread_once_t forkHandlerOnce = PTHREAD_ONCE_INIT;

static void install_fork_handler(void) { pthread_atfork(NULL, NULL, forget_workers_after_fork); }

static void run_serially(int parts, ckernels_task task, void *context) {
    int outer = insideJob;
    insideJob = 1;
    for (int part = 0; part < parts; part++) task(context, part, parts);
    insideJob = outer;
}

void ckernels_parallel(int parts, ckernels_task task, void *context) {
    int threads = ckernels_thread_count();
    if (parts <= 1 || threads <= 1 || insideJob || pthread_mutex_trylock(&pool.dispatch) != 0) {
        run_serially(parts, task, context);
        return;
    }
    int workers = (parts < threads ? parts : threads) - 1;
    pthread_once(&forkHandlerOnce, install_fork_handler);
    while (pool.started < workers) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        pool.startGeneration[pool.started] = atomic_load(&pool.generation);
        int failed = pthread_create(&thread, &attributes, worker_main, (void *)(size_t)pool.started);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        pool.started++;
    }
    if (workers > pool.started) workers = pool.started;
    if (workers == 0) {
        pthread_mutex_unlock(&pool.dispatch);
        run_serially(parts, task, context);
        return;
    }
    // Every thread, the caller included, takes parts until none are left.
    pool.task = task;
    pool.context = context;
    pool.parts = parts;
    pool.active = workers;
    atomic_store_explicit(&pool.nextPart, 0, memory_order_relaxed);
    atomic_store_explicit(&pool.remaining, pool.started, memory_order_relaxed);
    pthread_mutex_lock(&pool.sleep);
    atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.sleep);

    run_parts();
    int spins = 0;
    while (atomic_load_explicit(&pool.remaining, memory_order_acquire) > 0) {
        if (++spins < spinLimit) CPU_RELAX(); else sched_yield();  // a worker may be descheduled
    }
    pthread_mutex_unlock(&pool.dispatch);
}
