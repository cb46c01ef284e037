#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "thread_pool.h"

typedef struct Job {
    TvmafThreadJobFn fn;
    void *arg;
} Job;

struct TvmafThreadPool {
    pthread_mutex_t lock;
    pthread_cond_t has_job, has_room, idle;
    Job *ring;
    int cap, head, count;
    int running;     /* jobs taken by a worker and not finished */
    int stop;
    int n_workers;
    pthread_t *threads;
    int started;
};

typedef struct WorkerArg {
    TvmafThreadPool *thread_pool;
    int index;
} WorkerArg;

static void *worker_main(void *varg)
{
    WorkerArg *wa = varg;
    TvmafThreadPool *p = wa->thread_pool;
    const int index = wa->index;
    free(wa);
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->count && !p->stop)
            pthread_cond_wait(&p->has_job, &p->lock);
        if (!p->count && p->stop)
            break;
        const Job job = p->ring[p->head];
        p->head = (p->head + 1) % p->cap;
        p->count--;
        p->running++;
        pthread_cond_signal(&p->has_room);
        pthread_mutex_unlock(&p->lock);
        job.fn(job.arg, index);
        pthread_mutex_lock(&p->lock);
        p->running--;
        if (!p->count && !p->running)
            pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int tvmaf_thread_pool_open(TvmafThreadPool **out, int n_workers, int queue_cap)
{
    if (!out || n_workers < 1 || n_workers > 1024 || queue_cap < 1)
        return -EINVAL;
    TvmafThreadPool *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->ring = calloc((size_t)queue_cap, sizeof(*p->ring));
    p->threads = calloc((size_t)n_workers, sizeof(*p->threads));
    if (!p->ring || !p->threads) {
        free(p->ring);
        free(p->threads);
        free(p);
        return -ENOMEM;
    }
    p->cap = queue_cap;
    p->n_workers = n_workers;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->has_job, NULL);
    pthread_cond_init(&p->has_room, NULL);
    pthread_cond_init(&p->idle, NULL);
    for (int i = 0; i < n_workers; i++) {
        WorkerArg *wa = malloc(sizeof(*wa));
        if (!wa || (wa->thread_pool = p, wa->index = i,
                    pthread_create(&p->threads[i], NULL, worker_main, wa))) {
            free(wa);
            tvmaf_thread_pool_close(&p);
            return -EAGAIN;
        }
        p->started++;
    }
    *out = p;
    return 0;
}

int tvmaf_thread_pool_submit(TvmafThreadPool *p, TvmafThreadJobFn fn, void *arg)
{
    if (!p || !fn)
        return -EINVAL;
    pthread_mutex_lock(&p->lock);
    while (p->count == p->cap)
        pthread_cond_wait(&p->has_room, &p->lock);
    p->ring[(p->head + p->count) % p->cap] = (Job){ fn, arg };
    p->count++;
    pthread_cond_signal(&p->has_job);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

void tvmaf_thread_pool_wait(TvmafThreadPool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    while (p->count || p->running)
        pthread_cond_wait(&p->idle, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

void tvmaf_thread_pool_close(TvmafThreadPool **pp)
{
    if (!pp || !*pp)
        return;
    TvmafThreadPool *p = *pp;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->has_job);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->has_job);
    pthread_cond_destroy(&p->has_room);
    pthread_cond_destroy(&p->idle);
    free(p->ring);
    free(p->threads);
    free(p);
    *pp = NULL;
}
