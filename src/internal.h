#ifndef TVMAF_SRC_INTERNAL_H
#define TVMAF_SRC_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "tinyvmaf/tinyvmaf.h"
#include "extractor.h"
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

#define TVMAF_MAX_INSTANCES 16
#define TVMAF_KEY_SIZE 160

/* One extractor instance (tvmaf_use_feature()). */
typedef struct TvmafInstance {
    const TvmafExtractorKind *kind;
    TvmafKindOpts opts;
    unsigned first_output, n_outputs;
    void **state;         /* one per worker */
} TvmafInstance;

struct TvmafContext {
    TvmafSettings s;
    unsigned cpu_flags;   /* detected & ~cpu_mask */
    int n_workers;
    TvmafThreadPool *thread_pool; /* NULL when n_workers == 1: frames run inline */
    TvmafWorker *workers;

    int have_geometry;
    int w, h, bpc;
    enum TvmafPixelLayout layout;
    TvmafPicture prev_ref, prev2_ref; /* frames i-1, i-2 of the next frame i */
    unsigned history;     /* earlier frames any extractor needs: 0, 1, 2 */

    TvmafInstance inst[TVMAF_MAX_INSTANCES];
    unsigned n_inst;
    unsigned n_out;
    char out_key[TVMAF_MAX_OUTPUTS][TVMAF_KEY_SIZE];
    unsigned char out_inst[TVMAF_MAX_OUTPUTS]; /* instance of each output */

    unsigned n_frames;
    int flushed;

    /* Results, indexed by frame. Workers write under `lock`; the arrays
     * grow only in the driving thread, also under `lock`. */
    pthread_mutex_t lock;
    double *scores[TVMAF_FEATURE_COUNT];
    double *out_vals[TVMAF_MAX_OUTPUTS];
    unsigned char *done; /* frame fully computed */
    unsigned cap;
    int error;           /* first worker error */
};

/* The settings' memory budget in bytes: memory_limit_mib, or half of the
 * physical memory for 0; UINT64_MAX when that is unknown. */
uint64_t tvmaf_memory_limit_bytes(const TvmafSettings *s);

/* tvmaf_use_feature() with parsed options. @return as there. */
int tvmaf_context_use_instance(TvmafContext *c, const TvmafExtractorKind *k,
                               const TvmafKindOpts *opts, unsigned *first_output);

/* The first output of the instance (k, opts), or -ENOENT. */
int tvmaf_context_find_instance(const TvmafContext *c, const TvmafExtractorKind *k,
                                const TvmafKindOpts *opts, unsigned *first_output);

#endif /* TVMAF_SRC_INTERNAL_H */
