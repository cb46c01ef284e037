#ifndef TVMAF_SRC_INTERNAL_H
#define TVMAF_SRC_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "tinyvmaf/tinyvmaf.h"
#include "feature/adm.h"
#include "feature/motion.h"
#include "feature/vif.h"
#include "thread_pool.h"


/* Scratch owned by one worker thread; never shared. */
typedef struct TvmafWorker {
    TvmafVif *vif;
    TvmafAdm *adm;
    TvmafMotion *motion;
} TvmafWorker;

struct TvmafContext {
    TvmafSettings s;
    unsigned cpu_flags;   /* detected & ~cpu_mask */
    int n_workers;
    TvmafThreadPool *thread_pool; /* NULL when n_workers == 1: frames run inline */
    TvmafWorker *workers;

    int have_geometry;
    int w, h, bpc;
    enum TvmafPixelLayout layout;
    TvmafPicture prev_ref;

    unsigned n_frames;
    int flushed;

    /* Results, indexed by frame. Workers write under `lock`; the arrays
     * grow only in the driving thread, also under `lock`. */
    pthread_mutex_t lock;
    double *scores[TVMAF_FEATURE_COUNT];
    unsigned char *done; /* frame fully computed */
    unsigned cap;
    int error;           /* first worker error */
};

/* The settings' memory budget in bytes: memory_limit_mib, or half of the
 * physical memory for 0; UINT64_MAX when that is unknown. */
uint64_t tvmaf_memory_limit_bytes(const TvmafSettings *s);

#endif /* TVMAF_SRC_INTERNAL_H */
