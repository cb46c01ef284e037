/*
 * tinyvmaf — scoring: features in, the models' scores out.
 *
 * A scorer holds the models a run reports (classic libvmaf models and tiny
 * MLPs), works out the feature sets they need (one context per distinct set
 * of extractor options: the "neg" models' gain limits make a second set),
 * feeds every context from one stream of picture pairs, and after the flush
 * turns the features into per-frame and pooled scores. Each feature value
 * is read from its context once.
 *
 * The metrics, in order: the features of every set (each output key once,
 * in libvmaf's order for the motion pipeline in use), then one per classic
 * model, then one per tiny model, in the order they were added.
 *
 * Threading: as a context (one thread drives a scorer). Models are owned by
 * the scorer once added.
 *
 * Typical use:
 *
 *     TvmafScorer *s;
 *     if (tvmaf_scorer_open(&s, &settings) < 0) ...
 *     if (tvmaf_scorer_add_defaults(s) < 0) ...         // vmaf_v0.6.1 + vmaf_tiny_v2
 *     while (read ref, dis)  tvmaf_scorer_send_pictures(s, &ref, &dis);
 *     if (tvmaf_scorer_flush(s) < 0) ...
 *     for (unsigned i = 0; i < tvmaf_scorer_metric_count(s); i++) {
 *         TvmafMetric m;
 *         tvmaf_scorer_metric(s, i, &m);               // m.name, m.values[frame]
 *     }
 *     tvmaf_scorer_close(&s);
 */
#ifndef TVMAF_SCORE_H
#define TVMAF_SCORE_H

#include "tinyvmaf/common.h"
#include "tinyvmaf/model.h"
#include "tinyvmaf/tinyvmaf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct TvmafScorer TvmafScorer;
struct TvmafTinyModel; /* tiny.h */

/** Id of the tiny model scored by default. */
#define TVMAF_TINY_DEFAULT_MODEL "vmaf_tiny_v2"
/** Version of the classic model scored by default (as libvmaf). */
#define TVMAF_CLASSIC_DEFAULT_MODEL "vmaf_v0.6.1"

enum TvmafMetricKind {
    TVMAF_METRIC_FEATURE = 0, ///< a feature of one of the contexts
    TVMAF_METRIC_CLASSIC = 1, ///< a classic (SVR) model's score
    TVMAF_METRIC_TINY = 2,    ///< a tiny model's score
};

/** One reported metric. Pointers stay valid until the scorer is closed. */
typedef struct TvmafMetric {
    const char *name;              ///< output key ("integer_adm2", "vmaf", "vmaf_tiny_v2")
    enum TvmafMetricKind kind;
    const double *values;          ///< one per frame; NAN for frames skipped by `subsample`
    unsigned n_frames;
    const TvmafModel *classic;     ///< the model, for TVMAF_METRIC_CLASSIC, else NULL
    const struct TvmafTinyModel *tiny; ///< the model, for TVMAF_METRIC_TINY, else NULL
    unsigned feature_set;          ///< context index, for TVMAF_METRIC_FEATURE and CLASSIC
} TvmafMetric;

/**
 * Creates a scorer. `s` (copied) gives the engine settings shared by every
 * context (threads, cpu_mask, subsample, motion_compat); its gain limits
 * are those of the first feature set. NULL means the defaults.
 * @return 0, TVMAF_ERR(EINVAL), TVMAF_ERR(ENOMEM).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_scorer_open(TvmafScorer **out, const TvmafSettings *s);

/**
 * Adds a classic model. On success the scorer owns it and *m is set to
 * NULL. Models must be added before the first picture.
 * @return 0; TVMAF_ERR(EINVAL) after the first picture, or when another
 *         metric already has the model's name (load it with a `name`);
 *         TVMAF_ERR(ENOTSUP) more than 4 distinct feature sets;
 *         TVMAF_ERR(ENOMEM).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_scorer_add_model(TvmafScorer *s, TvmafModel **m);

/**
 * Adds a tiny model (scored on the first feature set). Every input feature
 * it names must be one the engine computes ("adm2", "vif_scale0",
 * "integer_vif_scale0", ...). On success the scorer owns it.
 * @return 0; TVMAF_ERR(EINVAL) as tvmaf_scorer_add_model();
 *         TVMAF_ERR(ENOENT) an input feature the engine does not compute;
 *         TVMAF_ERR(ENOTSUP) the library was built without ONNX support.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_scorer_add_tiny_model(TvmafScorer *s,
                                                            struct TvmafTinyModel **m);

/**
 * Adds the default models: the built-in TVMAF_CLASSIC_DEFAULT_MODEL and,
 * when the library has ONNX support, the built-in
 * TVMAF_TINY_DEFAULT_MODEL.
 * @return as the loaders and the add calls.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_scorer_add_defaults(TvmafScorer *s);

/** 1 when a model added so far reads chroma (speed_chroma): send whole
 *  pictures (all planes); 0 when luma-only pictures suffice. */
TVMAF_API int tvmaf_scorer_needs_chroma(const TvmafScorer *s);

/** Number of feature sets (contexts) the models need; at least 1. */
TVMAF_API unsigned tvmaf_scorer_feature_set_count(const TvmafScorer *s);

/**
 * Memory the caller holds besides the pairs it sends (frames its readers
 * decode ahead, its own baseline), taken off the settings' memory budget
 * before the first picture; what is left is shared equally between the
 * feature sets' contexts (tinyvmaf.h, "Memory budget").
 * @return 0, TVMAF_ERR(EINVAL) after the first picture.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_scorer_reserve_memory(TvmafScorer *s, uint64_t bytes);

/**
 * Queues one picture pair, as tvmaf_send_pictures(), to every feature set.
 * Ownership as there: on success the scorer takes the caller's references.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_scorer_send_pictures(TvmafScorer *s, TvmafPicture *ref,
                                                           TvmafPicture *dis);

/**
 * Ends the stream, then computes every model's per-frame scores.
 * @return 0; TVMAF_ERR(EAGAIN) no frame was sent; TVMAF_ERR(EBADMSG) a
 *         model produced a non-finite score (logged with the model and the
 *         frame); a context's or a model's error otherwise.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_scorer_flush(TvmafScorer *s);

/** Frames sent so far. */
TVMAF_API unsigned tvmaf_scorer_frame_count(const TvmafScorer *s);

/** Number of metrics, valid after tvmaf_scorer_flush(); 0 before. */
TVMAF_API unsigned tvmaf_scorer_metric_count(const TvmafScorer *s);

/**
 * Describes metric `i` (see the order above).
 * @return 0, TVMAF_ERR(EINVAL) out of range or before the flush.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_scorer_metric(const TvmafScorer *s, unsigned i,
                                                    TvmafMetric *out);

/**
 * Pools metric `i` over its frames (i % subsample == 0, as libvmaf).
 * @return as tvmaf_pool().
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_scorer_pool(const TvmafScorer *s, unsigned i,
                                                  enum TvmafPoolMethod m, double *out);

/** Context of feature set `k`, or NULL (for feature access by enum). */
TVMAF_API const TvmafContext *tvmaf_scorer_context(const TvmafScorer *s, unsigned k);

/** Frees the scorer, its contexts and its models; sets *s to NULL. NULL-safe. */
TVMAF_API void tvmaf_scorer_close(TvmafScorer **s);

#ifdef __cplusplus
}
#endif

#endif /* TVMAF_SCORE_H */
