#ifndef TVMAF_SRC_THREAD_POOL_H
#define TVMAF_SRC_THREAD_POOL_H

/*
 * A fixed set of workers draining a bounded FIFO of jobs. Each job runs on
 * exactly one worker and receives that worker's index, so callers can keep
 * per-worker scratch without locks.
 */

typedef struct TvmafThreadPool TvmafThreadPool;

typedef void (*TvmafThreadJobFn)(void *arg, int worker);

/** @return 0, -EINVAL, -ENOMEM, or -EAGAIN if a thread could not start. */
int tvmaf_thread_pool_open(TvmafThreadPool **out, int n_workers, int queue_cap);

/** Queues a job; blocks while `queue_cap` jobs are waiting. */
int tvmaf_thread_pool_submit(TvmafThreadPool *p, TvmafThreadJobFn fn, void *arg);

/** Waits until every submitted job has finished. */
void tvmaf_thread_pool_wait(TvmafThreadPool *p);

/** Finishes queued jobs, joins the workers and frees the pool. NULL-safe. */
void tvmaf_thread_pool_close(TvmafThreadPool **p);

#endif /* TVMAF_SRC_THREAD_POOL_H */
