#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cpu.h"
#include "internal.h"
#include "log.h"

const char *tvmaf_version(void)
{
    return TVMAF_VERSION;
}

unsigned tvmaf_version_api(void)
{
    return TVMAF_API_VERSION(TVMAF_API_VERSION_MAJOR, TVMAF_API_VERSION_MINOR,
                             TVMAF_API_VERSION_PATCH);
}

void tvmaf_default_settings(TvmafSettings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof(*s));
    s->n_threads = 0;
    s->cpu_mask = 0;
    s->motion_compat = TVMAF_MOTION_FUSED;
    s->subsample = 1;
    s->adm_enhn_gain_limit = 100.0;
    s->vif_enhn_gain_limit = 100.0;
    s->logger.callback = tvmaf_log_default_callback;
    s->logger.cookie = NULL;
}

#define VALIDATE(c, cond)                                                  \
    do {                                                                   \
        if (!(cond)) {                                                     \
            if (c)                                                         \
                tvmaf_log(&(c)->s.logger, TVMAF_LOG_ERROR,                 \
                          "%s: invalid argument (%s)", __func__, #cond);   \
            return TVMAF_ERR(EINVAL);                                      \
        }                                                                  \
    } while (0)

uint64_t tvmaf_memory_limit_bytes(const TvmafSettings *s)
{
    if (s->memory_limit_mib)
        return (uint64_t)s->memory_limit_mib << 20;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0)
        return UINT64_MAX; /* unknown: no limit */
    return (uint64_t)pages * (uint64_t)page / 2;
}

static int online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

int tvmaf_open(TvmafContext **c_out, const TvmafSettings *s_in)
{
    if (!c_out)
        return TVMAF_ERR(EINVAL);
    *c_out = NULL;
    TvmafSettings s;
    if (s_in)
        s = *s_in;
    else
        tvmaf_default_settings(&s);
    for (size_t i = 0; i < sizeof(s.reserved); i++)
        if (s.reserved[i])
            return TVMAF_ERR(EINVAL);
    if (s.n_threads < 0 || s.n_threads > 256 || !s.subsample ||
        (s.no_fixed_features != 0 && s.no_fixed_features != 1) ||
        (s.motion_compat != TVMAF_MOTION_FUSED && s.motion_compat != TVMAF_MOTION_CLASSIC) ||
        !(s.adm_enhn_gain_limit >= 1.0 && s.adm_enhn_gain_limit <= 100.0) ||
        !(s.vif_enhn_gain_limit >= 1.0 && s.vif_enhn_gain_limit <= 100.0)) {
        tvmaf_log(&s.logger, TVMAF_LOG_ERROR, "tvmaf_open: setting out of range");
        return TVMAF_ERR(EINVAL);
    }

    TvmafContext *c = calloc(1, sizeof(*c));
    if (!c)
        return TVMAF_ERR(ENOMEM);
    c->s = s;
    c->history = s.no_fixed_features ? 0 : 1;
    c->cpu_flags = tvmaf_cpu_flags_usable(s.cpu_mask);
    c->n_workers = s.n_threads ? s.n_threads : online_cpus();
    pthread_mutex_init(&c->lock, NULL);
    c->workers = calloc((size_t)c->n_workers, sizeof(*c->workers));
    if (!c->workers)
        goto fail_nomem;
    if (c->n_workers > 1) {
        /* A queue as long as the worker count keeps at most 2x that many
         * frames alive, whatever the clip length. */
        const int err = tvmaf_thread_pool_open(&c->thread_pool, c->n_workers, c->n_workers);
        if (err < 0) {
            tvmaf_close(&c);
            return TVMAF_ERR(-err);
        }
    }
    *c_out = c;
    return 0;

fail_nomem:
    tvmaf_close(&c);
    return TVMAF_ERR(ENOMEM);
}

static void free_workers(TvmafContext *c)
{
    for (int i = 0; c->workers && i < c->n_workers; i++) {
        tvmaf_vif_free(&c->workers[i].vif);
        tvmaf_adm_free(&c->workers[i].adm);
        tvmaf_motion_free(&c->workers[i].motion);
    }
    for (unsigned k = 0; k < c->n_inst; k++) {
        TvmafInstance *const in = &c->inst[k];
        for (int i = 0; in->state && i < c->n_workers; i++)
            in->kind->free(&in->state[i]);
        free(in->state);
        in->state = NULL;
    }
}

void tvmaf_close(TvmafContext **pc)
{
    if (!pc || !*pc)
        return;
    TvmafContext *c = *pc;
    tvmaf_thread_pool_close(&c->thread_pool);
    free_workers(c);
    free(c->workers);
    tvmaf_picture_unref(&c->prev_ref);
    tvmaf_picture_unref(&c->prev2_ref);
    for (int f = 0; f < TVMAF_FEATURE_COUNT; f++)
        free(c->scores[f]);
    for (unsigned o = 0; o < c->n_out; o++)
        free(c->out_vals[o]);
    free(c->done);
    pthread_mutex_destroy(&c->lock);
    free(c);
    *pc = NULL;
}

static TvmafKindEnv kind_env(const TvmafContext *c)
{
    return (TvmafKindEnv){ .w = c->w, .h = c->h, .bpc = c->bpc, .layout = c->layout,
                           .cpu_flags = c->cpu_flags,
                           .motion_classic = c->s.motion_compat == TVMAF_MOTION_CLASSIC };
}

static int init_instances(TvmafContext *c)
{
    const TvmafKindEnv env = kind_env(c);
    for (unsigned k = 0; k < c->n_inst; k++) {
        TvmafInstance *const in = &c->inst[k];
        if ((in->kind->flags & TVMAF_KIND_CHROMA) && c->layout == TVMAF_PIX_LAYOUT_400) {
            tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                      "extractor %s needs chroma planes; the input is 4:0:0", in->kind->name);
            return -ENOTSUP;
        }
        in->state = calloc((size_t)c->n_workers, sizeof(*in->state));
        if (!in->state)
            return -ENOMEM;
        for (int i = 0; i < c->n_workers; i++) {
            const int err = in->kind->init(&in->state[i], &env, in->opts.bytes);
            if (err < 0 && err != -ENOMEM) {
                tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                          "extractor %s cannot run on %dx%d %d-bit input (%s)", in->kind->name,
                          c->w, c->h, c->bpc, strerror(-err));
            }
            if (err < 0)
                return err;
        }
    }
    return 0;
}

static int init_workers(TvmafContext *c)
{
    if (c->s.no_fixed_features) {
        const int err = init_instances(c);
        if (err < 0)
            free_workers(c);
        return err;
    }
    const TvmafVifOptions vo = { .enhn_gain_limit = c->s.vif_enhn_gain_limit };
    TvmafAdmOptions ao;
    tvmaf_option_defaults(tvmaf_adm_options, &ao);
    ao.enhn_gain_limit = c->s.adm_enhn_gain_limit;
    ao.skip_aim = true; /* aim and adm3 are not among the context's features */
    TvmafMotionOptions mo;
    tvmaf_option_defaults(tvmaf_motion_options, &mo);
    for (int i = 0; i < c->n_workers; i++) {
        TvmafWorker *w = &c->workers[i];
        int err = tvmaf_vif_init(&w->vif, c->w, c->h, c->bpc, &vo, c->cpu_flags);
        if (!err)
            err = tvmaf_adm_init(&w->adm, c->w, c->h, c->bpc, &ao, c->cpu_flags);
        if (!err)
            err = c->s.motion_compat == TVMAF_MOTION_CLASSIC
                      ? tvmaf_motion_init_classic(&w->motion, c->w, c->h, c->bpc, c->cpu_flags)
                      : tvmaf_motion_init(&w->motion, c->w, c->h, c->bpc, &mo, c->cpu_flags);
        if (err < 0) {
            /* Out of memory is logged by the caller, with the sizes. */
            if (err != -ENOMEM)
                tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                          "cannot set up the VIF, ADM and motion features for %dx%d %d-bit "
                          "pictures: %s", c->w, c->h, c->bpc, strerror(-err));
            free_workers(c);
            return err;
        }
    }
    const int err = init_instances(c);
    if (err < 0)
        free_workers(c);
    return err;
}

/* One worker's allocations in init_workers(): every per-worker buffer must
 * be counted here, or the memory budget undercounts. */
static uint64_t worker_scratch_bytes(const TvmafContext *c)
{
    const int fixed = !c->s.no_fixed_features;
    const size_t parts[] = { sizeof(TvmafWorker), fixed ? tvmaf_vif_scratch_size(c->w, c->h) : 0,
                             fixed ? tvmaf_adm_scratch_size(c->w, c->h) : 0,
                             fixed ? tvmaf_motion_scratch_size(c->w) : 0 };
    uint64_t sum = 0;
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        sum += parts[i] == SIZE_MAX ? UINT64_MAX / 4 : parts[i];
    /* Extractor instances whose module states its size (every kind does). */
    const TvmafKindEnv env = kind_env(c);
    for (unsigned k = 0; k < c->n_inst; k++) {
        const size_t b = c->inst[k].kind->scratch_size ? c->inst[k].kind->scratch_size(&env, c->inst[k].opts.bytes)
                                                 : 0;
        sum += b == SIZE_MAX ? UINT64_MAX / 4 : b;
    }
    return sum;
}

static uint64_t picture_bytes(const TvmafPicture *p)
{
    uint64_t sum = 256; /* the buffer's tail padding and header */
    const int planes = p->layout == TVMAF_PIX_LAYOUT_400 ? 1 : 3;
    for (int i = 0; i < planes; i++)
        sum += (uint64_t)(p->stride[i] < 0 ? -p->stride[i] : p->stride[i]) * (uint64_t)p->h[i];
    return sum;
}

static double mib(uint64_t bytes)
{
    return bytes / 1048576.0;
}

/* Fits the thread count to the memory budget (tinyvmaf.h, "Memory budget")
 * before any worker allocates: fewer threads, or a refusal naming the size. */
static int apply_memory_budget(TvmafContext *c, const TvmafPicture *ref, const TvmafPicture *dis)
{
    const uint64_t limit = tvmaf_memory_limit_bytes(&c->s);
    const uint64_t scratch = worker_scratch_bytes(c);
    const uint64_t pair = picture_bytes(ref) + picture_bytes(dis);
    const uint64_t one = scratch + 4 * pair;
    if (one > limit) {
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                  "memory limit too small: %.0f MiB of it are left for scoring, one thread "
                  "at %dx%d needs %.0f MiB (%.0f MiB of scratch and 4 picture pairs of %.0f MiB)",
                  mib(limit), c->w, c->h, mib(one), mib(scratch), mib(pair));
        return -ENOMEM;
    }
    const uint64_t fit = (limit - 2 * pair) / (scratch + 2 * pair);
    if (fit >= (uint64_t)c->n_workers)
        return 0;
    const int n = (int)fit;
    tvmaf_log(&c->s.logger, TVMAF_LOG_WARNING,
              "%d threads reduced to %d to fit the memory limit: %.0f MiB of it are left for "
              "scoring, and each thread at %dx%d needs %.0f MiB of scratch and 2 picture pairs "
              "of %.0f MiB in flight", c->n_workers, n, mib(limit), c->w, c->h, mib(scratch),
              mib(pair));
    /* No frame was queued yet: the thread pool can be rebuilt smaller. */
    tvmaf_thread_pool_close(&c->thread_pool);
    c->n_workers = n;
    if (n > 1) {
        const int err = tvmaf_thread_pool_open(&c->thread_pool, n, n);
        if (err < 0) {
            tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR, "cannot start %d worker threads (%s)", n,
                      strerror(-err));
            return err;
        }
    }
    return 0;
}

static int grow_results(TvmafContext *c, unsigned need)
{
    if (need <= c->cap)
        return 0;
    unsigned cap = c->cap ? c->cap : 256;
    while (cap < need) {
        if (cap > (1u << 30))
            return -ENOMEM;
        cap *= 2;
    }
    int err = 0;
    pthread_mutex_lock(&c->lock);
    for (int f = 0; f < TVMAF_FEATURE_COUNT && !err && !c->s.no_fixed_features; f++) {
        double *p = realloc(c->scores[f], cap * sizeof(*p));
        if (!p)
            err = -ENOMEM;
        else
            c->scores[f] = p;
    }
    for (unsigned o = 0; o < c->n_out && !err; o++) {
        double *p = realloc(c->out_vals[o], cap * sizeof(*p));
        if (!p)
            err = -ENOMEM;
        else
            c->out_vals[o] = p;
    }
    if (!err) {
        unsigned char *d = realloc(c->done, cap);
        if (!d) {
            err = -ENOMEM;
        } else {
            memset(d + c->cap, 0, cap - c->cap);
            c->done = d;
            c->cap = cap;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return err;
}

/*
 * A frame is scored in two parts that may run on different workers: VIF
 * (about 60 % of the work), and ADM, motion and the extractor instances.
 * With frames as the only unit, one worker sat idle while the other scored
 * the first frame (the second was still being read) and again while it
 * finished the last one. Each part writes its own features into the job;
 * the part that ends last commits them. Scores do not depend on which
 * worker runs a part: every feature state is per worker and holds nothing
 * across frames.
 */
enum { PART_VIF, PART_REST, N_PARTS };

struct FrameJob;
typedef struct FramePart {
    struct FrameJob *job;
    int which;
} FramePart;

typedef struct FrameJob {
    TvmafContext *c;
    unsigned index;
    TvmafPicture ref, dis, prev_ref, prev2_ref; /* empty when absent */
    FramePart part[N_PARTS];
    atomic_int parts_left;
    atomic_int err; /* the first failure of a part, 0 if none */
    double v[TVMAF_FEATURE_COUNT], ov[TVMAF_MAX_OUTPUTS];
} FrameJob;

static TvmafPlane luma(const TvmafPicture *p)
{
    return (TvmafPlane){ .data = p->data[0], .stride = p->stride[0],
                         .w = p->w[0], .h = p->h[0], .bpc = p->bpc };
}

static int run_instances(TvmafContext *c, const FrameJob *j, int worker, double *v)
{
    const TvmafFrameInput in = {
        .index = j->index, .ref = &j->ref, .dis = &j->dis,
        .prev_ref = { j->prev_ref.buf ? &j->prev_ref : NULL,
                      j->prev2_ref.buf ? &j->prev2_ref : NULL },
    };
    for (unsigned k = 0; k < c->n_inst; k++) {
        const TvmafInstance *const is = &c->inst[k];
        double *const out = v + is->first_output;
        for (unsigned o = 0; o < is->n_outputs; o++)
            out[o] = 0.;
        if (!(is->kind->flags & TVMAF_KIND_EVERY_FRAME) && j->index % c->s.subsample)
            continue;
        const int err = is->kind->compute(is->state[worker], is->opts.bytes, &in, out);
        if (err < 0)
            return err;
    }
    return 0;
}

/* Whether frame j has the VIF part: fixed features, on the subsample grid. */
static int has_vif_part(const TvmafContext *c, const unsigned index)
{
    return !c->s.no_fixed_features && index % c->s.subsample == 0;
}

static void finish_frame(FrameJob *j)
{
    TvmafContext *const c = j->c;
    const int err = atomic_load(&j->err);
    pthread_mutex_lock(&c->lock);
    if (err < 0) {
        if (!c->error) {
            c->error = err;
            tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR, "frame %u: feature extraction failed (%s)",
                      j->index, strerror(-err));
        }
    } else {
        for (int f = 0; f < TVMAF_FEATURE_COUNT && !c->s.no_fixed_features; f++)
            c->scores[f][j->index] = j->v[f];
        for (unsigned o = 0; o < c->n_out; o++)
            c->out_vals[o][j->index] = j->ov[o];
        c->done[j->index] = 1;
    }
    pthread_mutex_unlock(&c->lock);

    tvmaf_picture_unref(&j->ref);
    tvmaf_picture_unref(&j->dis);
    tvmaf_picture_unref(&j->prev_ref);
    tvmaf_picture_unref(&j->prev2_ref);
    free(j);
}

/* Records a part's outcome; the last part to end commits the frame and frees the job. */
static void part_done(FrameJob *j, const int err)
{
    if (err < 0) {
        int none = 0;
        atomic_compare_exchange_strong(&j->err, &none, err);
    }
    if (atomic_fetch_sub(&j->parts_left, 1) == 1)
        finish_frame(j);
}

static void run_part(void *arg, int worker)
{
    const FramePart *const p = arg;
    FrameJob *const j = p->job;
    TvmafContext *const c = j->c;
    TvmafWorker *const w = &c->workers[worker];
    const TvmafPlane ref = luma(&j->ref), dis = luma(&j->dis);
    int err = 0;

    if (p->which == PART_VIF) {
        double vif[TVMAF_VIF_SCALES];
        err = tvmaf_vif_compute(w->vif, &ref, &dis, vif);
        for (int s = 0; s < TVMAF_VIF_SCALES && !err; s++)
            j->v[TVMAF_FEATURE_VIF_SCALE0 + s] = vif[s];
    } else {
        if (has_vif_part(c, j->index)) {
            TvmafAdmScores adm;
            err = tvmaf_adm_compute(w->adm, &ref, &dis, &adm);
            if (!err) {
                j->v[TVMAF_FEATURE_ADM2] = adm.adm2;
                for (int s = 0; s < TVMAF_ADM_SCALES; s++)
                    j->v[TVMAF_FEATURE_ADM_SCALE0 + s] = adm.scale[s];
            }
        }
        if (!err && j->prev_ref.buf && !c->s.no_fixed_features) {
            const TvmafPlane prev = luma(&j->prev_ref);
            err = tvmaf_motion_compute(w->motion, &prev, &ref, &j->v[TVMAF_FEATURE_MOTION]);
        }
        if (!err)
            err = run_instances(c, j, worker, j->ov);
    }
    part_done(j, err);
}

static int check_picture(const TvmafContext *c, const TvmafPicture *p, const char *what)
{
    if (!p->buf || !p->data[0]) {
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR, "%s picture is empty", what);
        return TVMAF_ERR(EINVAL);
    }
    return 0;
}

int tvmaf_send_pictures(TvmafContext *c, TvmafPicture *ref, TvmafPicture *dis)
{
    VALIDATE(c, c && ref && dis);
    if (c->flushed) {
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR, "pictures sent after tvmaf_flush()");
        return TVMAF_ERR(EINVAL);
    }
    int err = check_picture(c, ref, "reference");
    if (!err)
        err = check_picture(c, dis, "distorted");
    if (err)
        return err;
    if (ref->w[0] != dis->w[0] || ref->h[0] != dis->h[0] || ref->bpc != dis->bpc ||
        ref->layout != dis->layout) {
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                  "reference (%dx%d, %d-bit) and distorted (%dx%d, %d-bit) pictures differ",
                  ref->w[0], ref->h[0], ref->bpc, dis->w[0], dis->h[0], dis->bpc);
        return TVMAF_ERR(EINVAL);
    }
    if (!c->have_geometry) {
        if (ref->w[0] < TVMAF_PICTURE_MIN_DIM || ref->h[0] < TVMAF_PICTURE_MIN_DIM) {
            tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                      "picture %dx%d is smaller than the %dx%d minimum", ref->w[0], ref->h[0],
                      TVMAF_PICTURE_MIN_DIM, TVMAF_PICTURE_MIN_DIM);
            return TVMAF_ERR(ENOTSUP);
        }
        c->w = ref->w[0];
        c->h = ref->h[0];
        c->bpc = ref->bpc;
        c->layout = ref->layout;
        err = apply_memory_budget(c, ref, dis);
        if (!err) {
            err = init_workers(c);
            /* Other refusals are logged where they arise: init_workers() for
             * the fixed features, the extractor instances' init for theirs. */
            if (err == -ENOMEM)
                tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                          "cannot allocate the worker scratch for %dx%d pictures (%d threads, "
                          "%.0f MiB each): %s", c->w, c->h, c->n_workers,
                          mib(worker_scratch_bytes(c)), strerror(-err));
        }
        if (err < 0)
            return TVMAF_ERR(-err);
        c->have_geometry = 1;
    } else if (ref->w[0] != c->w || ref->h[0] != c->h || ref->bpc != c->bpc ||
               ref->layout != c->layout) {
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                  "frame %u: picture geometry changed mid-stream (%dx%d %d-bit, was %dx%d %d-bit)",
                  c->n_frames, ref->w[0], ref->h[0], ref->bpc, c->w, c->h, c->bpc);
        return TVMAF_ERR(EINVAL);
    }
    if (c->n_frames == 0xffffffffu)
        return TVMAF_ERR(EINVAL);
    err = grow_results(c, c->n_frames + 1);
    if (err < 0) {
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                  "frame %u: cannot allocate the results array for %u frames", c->n_frames,
                  c->n_frames + 1);
        return TVMAF_ERR(ENOMEM);
    }

    FrameJob *j = calloc(1, sizeof(*j));
    if (!j) {
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR, "frame %u: cannot allocate its job",
                  c->n_frames);
        return TVMAF_ERR(ENOMEM);
    }
    j->c = c;
    j->index = c->n_frames;
    /* The job takes the context's references to frames i-1 (and i-2); the
     * context keeps what frame i+1 will need. */
    if (c->history >= 2 && c->prev_ref.buf && tvmaf_picture_ref(&j->prev_ref, &c->prev_ref) < 0) {
        free(j);
        return TVMAF_ERR(EINVAL);
    }
    if (c->history >= 2) {
        j->prev2_ref = c->prev2_ref;
        c->prev2_ref = c->prev_ref;
    } else {
        j->prev_ref = c->prev_ref;
    }
    memset(&c->prev_ref, 0, sizeof(c->prev_ref));
    if (c->history && tvmaf_picture_ref(&c->prev_ref, ref) < 0) {
        tvmaf_picture_unref(&j->prev_ref);
        tvmaf_picture_unref(&j->prev2_ref);
        free(j);
        return TVMAF_ERR(EINVAL);
    }
    j->ref = *ref;
    j->dis = *dis;
    memset(ref, 0, sizeof(*ref));
    memset(dis, 0, sizeof(*dis));
    c->n_frames++;

    /* The longer part (VIF) first: a worker that frees up takes the other. */
    const int first = has_vif_part(c, j->index) ? PART_VIF : PART_REST;
    for (int p = first; p < N_PARTS; p++)
        j->part[p] = (FramePart){ j, p };
    atomic_init(&j->parts_left, N_PARTS - first);
    atomic_init(&j->err, 0);
    if (!c->thread_pool) {
        for (int p = first; p < N_PARTS; p++)
            run_part(&j->part[p], 0); /* the last one frees j */
        return c->error ? TVMAF_ERR(-c->error) : 0;
    }
    err = 0;
    for (int p = first; p < N_PARTS; p++) {
        /* A part that cannot be queued ends as failed (the last one frees j). */
        if (tvmaf_thread_pool_submit(c->thread_pool, run_part, &j->part[p]) < 0) {
            part_done(j, -ENOMEM);
            err = TVMAF_ERR(ENOMEM);
        }
    }
    return err;
}

int tvmaf_flush(TvmafContext *c)
{
    VALIDATE(c, c);
    if (c->flushed)
        return c->error ? TVMAF_ERR(-c->error) : 0;
    tvmaf_thread_pool_wait(c->thread_pool);
    tvmaf_picture_unref(&c->prev_ref);
    tvmaf_picture_unref(&c->prev2_ref);
    c->flushed = 1;
    if (c->error)
        return TVMAF_ERR(-c->error);
    if (c->n_frames && !c->s.no_fixed_features) {
        TvmafMotionOptions mo;
        tvmaf_option_defaults(tvmaf_motion_options, &mo);
        tvmaf_motion_finish(&mo, c->scores[TVMAF_FEATURE_MOTION], c->n_frames,
                            c->scores[TVMAF_FEATURE_MOTION2], NULL);
    }
    for (unsigned k = 0; k < c->n_inst && c->n_frames; k++)
        if (c->inst[k].kind->finish)
            c->inst[k].kind->finish(c->inst[k].opts.bytes, &c->out_vals[c->inst[k].first_output],
                                    c->n_frames);
    return 0;
}

unsigned tvmaf_frame_count(const TvmafContext *c)
{
    return c ? c->n_frames : 0;
}

static const char *const feature_names[TVMAF_FEATURE_COUNT] = {
    [TVMAF_FEATURE_ADM2] = "integer_adm2",
    [TVMAF_FEATURE_ADM_SCALE0] = "integer_adm_scale0",
    [TVMAF_FEATURE_ADM_SCALE1] = "integer_adm_scale1",
    [TVMAF_FEATURE_ADM_SCALE2] = "integer_adm_scale2",
    [TVMAF_FEATURE_ADM_SCALE3] = "integer_adm_scale3",
    [TVMAF_FEATURE_MOTION2] = "integer_motion2",
    [TVMAF_FEATURE_MOTION] = "VMAF_integer_feature_motion_sad_score",
    [TVMAF_FEATURE_VIF_SCALE0] = "integer_vif_scale0",
    [TVMAF_FEATURE_VIF_SCALE1] = "integer_vif_scale1",
    [TVMAF_FEATURE_VIF_SCALE2] = "integer_vif_scale2",
    [TVMAF_FEATURE_VIF_SCALE3] = "integer_vif_scale3",
};

const char *tvmaf_feature_name(enum TvmafFeature f)
{
    return (unsigned)f < TVMAF_FEATURE_COUNT ? feature_names[f] : NULL;
}

int tvmaf_feature_key(const TvmafContext *c, enum TvmafFeature f, char *buf, size_t size)
{
    if (!c || !buf || (unsigned)f >= TVMAF_FEATURE_COUNT)
        return TVMAF_ERR(EINVAL);
    const char *base = feature_names[f];
    double egl = 100.0;
    if (f == TVMAF_FEATURE_MOTION && c->s.motion_compat == TVMAF_MOTION_CLASSIC)
        base = "integer_motion";
    else if (f <= TVMAF_FEATURE_ADM_SCALE3)
        egl = c->s.adm_enhn_gain_limit;
    else if (f >= TVMAF_FEATURE_VIF_SCALE0)
        egl = c->s.vif_enhn_gain_limit;
    /* libvmaf names a feature computed with a non-default option
     * "<name>_<alias>_<%g value>" (feature_name.c). */
    const int n = egl != 100.0 ? snprintf(buf, size, "%s_egl_%g", base, egl)
                               : snprintf(buf, size, "%s", base);
    return n < 0 || (size_t)n >= size ? TVMAF_ERR(EINVAL) : 0;
}

int tvmaf_feature_score_at_index(const TvmafContext *c, enum TvmafFeature f, unsigned index,
                                 double *out)
{
    if (!c || !out || (unsigned)f >= TVMAF_FEATURE_COUNT)
        return TVMAF_ERR(EINVAL);
    if (!c->flushed)
        return TVMAF_ERR(EAGAIN);
    if (index >= c->n_frames || !c->done[index] || c->s.no_fixed_features)
        return TVMAF_ERR(ENOENT);
    if (f != TVMAF_FEATURE_MOTION && f != TVMAF_FEATURE_MOTION2 && index % c->s.subsample)
        return TVMAF_ERR(ENOENT);
    *out = c->scores[f][index];
    return 0;
}

int tvmaf_feature_score_pooled(const TvmafContext *c, enum TvmafFeature f,
                               enum TvmafPoolMethod m, double *out)
{
    if (!c || !out || (unsigned)f >= TVMAF_FEATURE_COUNT)
        return TVMAF_ERR(EINVAL);
    if (!c->flushed)
        return TVMAF_ERR(EAGAIN);
    if (!c->n_frames || c->s.no_fixed_features)
        return TVMAF_ERR(ENOENT);
    return tvmaf_pool(c->scores[f], c->n_frames, c->s.subsample, m, out);
}

static int same_instance(const TvmafInstance *in, const TvmafExtractorKind *k,
                         const TvmafKindOpts *o)
{
    return in->kind == k && !memcmp(in->opts.bytes, o->bytes, k->options_size);
}

int tvmaf_context_find_instance(const TvmafContext *c, const TvmafExtractorKind *k,
                                const TvmafKindOpts *opts, unsigned *first_output)
{
    for (unsigned i = 0; c && k && opts && i < c->n_inst; i++)
        if (same_instance(&c->inst[i], k, opts)) {
            if (first_output)
                *first_output = c->inst[i].first_output;
            return 0;
        }
    return -ENOENT;
}

int tvmaf_context_use_instance(TvmafContext *c, const TvmafExtractorKind *k,
                               const TvmafKindOpts *opts, unsigned *first_output)
{
    if (!tvmaf_context_find_instance(c, k, opts, first_output))
        return 0;
    if (c->have_geometry || c->n_frames) {
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                  "extractor %s: instances must be asked for before the first picture", k->name);
        return TVMAF_ERR(EINVAL);
    }
    const unsigned n_outputs = tvmaf_kind_output_count(k, opts);
    if (c->n_inst == TVMAF_MAX_INSTANCES || c->n_out + n_outputs > TVMAF_MAX_OUTPUTS) {
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR, "extractor %s: at most %d instances and %d outputs",
                  k->name, TVMAF_MAX_INSTANCES, TVMAF_MAX_OUTPUTS);
        return TVMAF_ERR(ENOTSUP);
    }
    const TvmafKindEnv env = kind_env(c);
    for (unsigned o = 0; o < n_outputs; o++) {
        char *const key = c->out_key[c->n_out + o];
        if (tvmaf_kind_key(k, &env, opts, o, key, TVMAF_KEY_SIZE) < 0) {
            tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR, "extractor %s: feature key too long", k->name);
            return TVMAF_ERR(EINVAL);
        }
        for (unsigned q = 0; q < c->n_out; q++)
            if (!strcmp(c->out_key[q], key)) {
                /* Options outside the key (cambi's enc_width, ...) differ:
                 * two instances would print the same key. */
                tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                          "extractor %s: another instance already prints \"%s\" with other "
                          "options", k->name, key);
                return TVMAF_ERR(EINVAL);
            }
    }
    TvmafInstance *const in = &c->inst[c->n_inst];
    memset(in, 0, sizeof(*in));
    in->kind = k;
    in->opts = *opts;
    in->first_output = c->n_out;
    in->n_outputs = n_outputs;
    for (unsigned o = 0; o < n_outputs; o++)
        c->out_inst[c->n_out + o] = (unsigned char)c->n_inst;
    c->n_out += n_outputs;
    c->n_inst++;
    if (k->history) {
        const unsigned h = k->history(opts->bytes);
        if (h > c->history)
            c->history = h;
    }
    if (first_output)
        *first_output = in->first_output;
    return 0;
}

int tvmaf_use_feature(TvmafContext *c, const char *extractor, const char *options,
                      unsigned *first_output)
{
    VALIDATE(c, c && extractor);
    const TvmafExtractorKind *const k = tvmaf_kind_find(extractor);
    if (!k) {
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR, "unknown feature extractor \"%.64s\"",
                  extractor);
        return TVMAF_ERR(ENOENT);
    }
    TvmafKindOpts o;
    char err[256];
    const int e = tvmaf_kind_opts_parse(k, &o, options, err, sizeof(err));
    if (e < 0) {
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR, "%s", err);
        return TVMAF_ERR(-e);
    }
    return tvmaf_context_use_instance(c, k, &o, first_output);
}

unsigned tvmaf_output_count(const TvmafContext *c)
{
    return c ? c->n_out : 0;
}

const char *tvmaf_output_key(const TvmafContext *c, unsigned i)
{
    return c && i < c->n_out ? c->out_key[i] : NULL;
}

int tvmaf_output_find(const TvmafContext *c, const char *key, unsigned *i)
{
    if (!c || !key || !i)
        return TVMAF_ERR(EINVAL);
    for (unsigned o = 0; o < c->n_out; o++)
        if (!strcmp(c->out_key[o], key)) {
            *i = o;
            return 0;
        }
    return TVMAF_ERR(ENOENT);
}

static int every_frame(const TvmafContext *c, unsigned i)
{
    return c->inst[c->out_inst[i]].kind->flags & TVMAF_KIND_EVERY_FRAME;
}

int tvmaf_output_score_at_index(const TvmafContext *c, unsigned i, unsigned index, double *out)
{
    if (!c || !out)
        return TVMAF_ERR(EINVAL);
    if (!c->flushed)
        return TVMAF_ERR(EAGAIN);
    if (i >= c->n_out || index >= c->n_frames || !c->done[index])
        return TVMAF_ERR(ENOENT);
    if (!every_frame(c, i) && index % c->s.subsample)
        return TVMAF_ERR(ENOENT);
    *out = c->out_vals[i][index];
    return 0;
}

int tvmaf_output_score_pooled(const TvmafContext *c, unsigned i, enum TvmafPoolMethod m,
                              double *out)
{
    if (!c || !out)
        return TVMAF_ERR(EINVAL);
    if (!c->flushed)
        return TVMAF_ERR(EAGAIN);
    if (!c->n_frames || i >= c->n_out)
        return TVMAF_ERR(ENOENT);
    return tvmaf_pool(c->out_vals[i], c->n_frames, c->s.subsample, m, out);
}
