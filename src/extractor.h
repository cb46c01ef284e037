/*
 * Extractor kinds: how the context runs a feature module as a configurable
 * instance (tvmaf_use_feature()). One kind per libvmaf extractor name
 * ("adm", "vif", "motion", "cambi", "speed_chroma"): its option table
 * (src/feature/option.h), the base names of its outputs in libvmaf's print
 * order, the names models use for them, and four calls the context makes.
 *
 * Frames run in parallel on per-worker states, in any order. A compute call
 * gets the frame's pictures plus the reference pictures of frames i-1 and
 * i-2 when the kind asks for them (history()); whatever needs the whole
 * series is done by finish(), once, at flush, over the per-frame columns.
 */
#ifndef TVMAF_SRC_EXTRACTOR_H
#define TVMAF_SRC_EXTRACTOR_H

#include <stddef.h>

#include "feature/option.h"
#include "tinyvmaf/picture.h"

/** Most outputs one kind produces. */
#define TVMAF_KIND_MAX_OUTPUTS 8
/** Size of the storage for any kind's options struct. */
#define TVMAF_KIND_OPTS_BYTES 256

/** Options struct storage, aligned for any field type. */
typedef union TvmafKindOpts {
    unsigned char bytes[TVMAF_KIND_OPTS_BYTES];
    double align_d;
    long long align_ll;
    void *align_p;
} TvmafKindOpts;

/** What every instance of a context shares: the stream's geometry and settings. */
typedef struct TvmafKindEnv {
    int w, h, bpc;                 /* luma plane */
    enum TvmafPixelLayout layout;
    unsigned cpu_flags;
    int motion_classic;            /* TVMAF_MOTION_CLASSIC */
} TvmafKindEnv;

typedef struct TvmafFrameInput {
    unsigned index;
    const TvmafPicture *ref, *dis;
    const TvmafPicture *prev_ref[2]; /* frames i-1, i-2; NULL when absent or not asked for */
} TvmafFrameInput;

/** Compute on every frame, whatever the context's subsample (motion). */
#define TVMAF_KIND_EVERY_FRAME (1u << 0)
/** Needs the chroma planes (refused on 4:0:0 input). */
#define TVMAF_KIND_CHROMA (1u << 1)

typedef struct TvmafExtractorKind {
    const char *name;              /* libvmaf's extractor name */
    const TvmafOption *options;    /* NULL-name-terminated table */
    size_t options_size;           /* sizeof the options struct, <= TVMAF_KIND_OPTS_BYTES */
    unsigned n_outputs;            /* most outputs */
    unsigned n_keyed;              /* outputs 0..n_keyed-1 carry the option suffix, the
                                      others print bare; 0: all carry it */
    /* Outputs an instance with these options produces (NULL: n_outputs). */
    unsigned (*output_count)(const void *opts);
    const char *const *outputs;    /* printed base names, libvmaf's order */
    const char *const *model_names; /* names in model files, parallel to outputs (a model may
                                       also name an output by its printed base name) */
    unsigned flags;                /* TVMAF_KIND_* */
    /* Earlier reference frames compute() needs: 0, 1 (i-1) or 2 (i-1, i-2). */
    unsigned (*history)(const void *opts);
    /* Checks options that depend on each other; 0 or -EINVAL with a reason in err. */
    int (*check)(const void *opts, char *err, size_t err_size);
    /* Base name of output o when it depends on the env (else NULL: outputs[o]). */
    const char *(*base_name)(const TvmafKindEnv *env, unsigned o);
    /* Bytes one init() allocates for the env's geometry and these options
     * (SIZE_MAX on overflow); NULL when the module does not say (then the
     * memory budget cannot count it). */
    size_t (*scratch_size)(const TvmafKindEnv *env, const void *opts);
    int (*init)(void **state, const TvmafKindEnv *env, const void *opts);
    /* Writes the n_outputs values of one frame (raw values for what finish() completes). */
    int (*compute)(void *state, const void *opts, const TvmafFrameInput *in, double *out);
    /* Completes the columns (one per output, n frames) at flush; may be NULL. */
    void (*finish)(const void *opts, double *const *cols, unsigned n);
    void (*free)(void **state);
} TvmafExtractorKind;

/** The kind named `name`, or NULL. */
const TvmafExtractorKind *tvmaf_kind_find(const char *name);

/** The kind and output index providing a model's feature name
 *  ("Cambi_feature_cambi_score", "VMAF_integer_feature_adm3_score"); -1 if none. */
int tvmaf_kind_find_model_name(const char *feature, const TvmafExtractorKind **kind,
                               unsigned *output);

/** Outputs an instance of k with these options produces. */
unsigned tvmaf_kind_output_count(const TvmafExtractorKind *k, const TvmafKindOpts *opts);

/** Zeroes `opts`, then writes the kind's defaults. */
void tvmaf_kind_opts_default(const TvmafExtractorKind *k, TvmafKindOpts *opts);

/**
 * Sets one option from text. @return 0; -ENOENT unknown option; -EINVAL bad
 * value. A one-line reason goes to err.
 */
int tvmaf_kind_opts_set(const TvmafExtractorKind *k, TvmafKindOpts *opts, const char *name,
                        const char *value, char *err, size_t err_size);

/** Parses "name=value:name=value" (NULL or "" = defaults) into opts. @return as above. */
int tvmaf_kind_opts_parse(const TvmafExtractorKind *k, TvmafKindOpts *opts, const char *text,
                          char *err, size_t err_size);

/** The printed key of output o. @return 0 or -EINVAL (buffer too small). */
int tvmaf_kind_key(const TvmafExtractorKind *k, const TvmafKindEnv *env, const TvmafKindOpts *opts,
                   unsigned o, char *buf, size_t size);

#endif /* TVMAF_SRC_EXTRACTOR_H */
