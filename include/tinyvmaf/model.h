/*
 * tinyvmaf — classic VMAF models: libvmaf's JSON model format (libsvm
 * nu-SVR with an RBF kernel, linear_rescale normalisation, optional score
 * transform and clip), evaluated exactly as libvmaf does so that scores
 * match its output to the last printed digit.
 *
 * Both generations of libvmaf models load: v0.6.1 (adm2, vif_scale0..3,
 * motion2) and VMAF v1 (vmaf_v1.0.16_*: cambi, speed_chroma_uv, adm3,
 * motion3, each with its own extractor options in `feature_opts_dicts`, a
 * `chroma_correction_parameter`, a quadratic `score_transform` and a
 * `score_clip`). A model's features come from extractor instances of a
 * context (tinyvmaf.h, tvmaf_use_feature()): tvmaf_model_use_features()
 * asks a context for them. A v0.6.1-style model (features of enum
 * TvmafFeature, only gain-limit options) can also read the context's fixed
 * feature set, as before.
 *
 * Requires the library to be built with jansson; otherwise every loader
 * returns TVMAF_ERR(ENOTSUP).
 *
 * A model is immutable after loading and may be used from several threads.
 */
#ifndef TVMAF_MODEL_H
#define TVMAF_MODEL_H

#include <stddef.h>

#include "tinyvmaf/common.h"
#include "tinyvmaf/tinyvmaf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct TvmafModel TvmafModel;

/** Model flags, with libvmaf's meaning. */
enum TvmafModelFlags {
    TVMAF_MODEL_FLAG_DEFAULT = 0,
    TVMAF_MODEL_FLAG_DISABLE_CLIP = 1 << 0,      ///< ignore score_clip
    TVMAF_MODEL_FLAG_ENABLE_TRANSFORM = 1 << 1,  ///< apply score_transform even if not enabled
    TVMAF_MODEL_FLAG_DISABLE_TRANSFORM = 1 << 2, ///< never apply score_transform
};

typedef struct TvmafModelConfig {
    const char *name;     ///< output key of the scores (default "vmaf"); copied
    unsigned flags;       ///< TvmafModelFlags (default 0)
    TvmafLogger logger;   ///< where load errors are described (default: stderr)
    unsigned char reserved[16]; ///< must stay zero
} TvmafModelConfig;

/** Fills `cfg` with the defaults documented on each field. NULL-safe. */
TVMAF_API void tvmaf_model_default_config(TvmafModelConfig *cfg);

/** Largest model file accepted, in bytes. */
#define TVMAF_MODEL_MAX_BYTES (16 << 20)

/**
 * Loads a model from a libvmaf JSON file.
 *
 * @param m_out receives the model; NULL on failure. The caller owns it and
 *              frees it with tvmaf_model_free().
 * @param path  the .json file
 * @param cfg   NULL for the defaults
 * @return 0; TVMAF_ERR(ENOENT) file missing; TVMAF_ERR(EIO) unreadable;
 *         TVMAF_ERR(EBADMSG) malformed JSON or model (missing model_dict,
 *         feature count not matching slopes/intercepts, non-numeric values,
 *         non-finite numbers, bad libsvm text); TVMAF_ERR(ENOTSUP) valid but
 *         unsupported (bootstrap collections, float-extractor features,
 *         a feature no extractor provides, an option its extractor does
 *         not have);
 *         TVMAF_ERR(EINVAL) bad argument; TVMAF_ERR(ENOMEM).
 *         Every failure logs one line naming the file and the problem.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_model_load_path(TvmafModel **m_out, const char *path,
                                                      const TvmafModelConfig *cfg);

/**
 * Loads a model by libvmaf version name ("vmaf_v0.6.1", "vmaf_4k_v0.6.1",
 * ...): the first NAME.json found in the directories of the
 * colon-separated $TINYVMAF_MODEL_PATH, then /usr/local/share/vmaf/model
 * and /usr/share/vmaf/model (where libvmaf installs its models).
 * @return as tvmaf_model_load_path(); TVMAF_ERR(ENOENT) when no directory
 *         has it (the log line lists where it looked).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_model_load_version(TvmafModel **m_out, const char *version,
                                                         const TvmafModelConfig *cfg);

/**
 * Loads a model from a JSON text in memory (`len` bytes, no NUL needed).
 * `origin` names it in log lines (may be NULL). Returns as above.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_model_load_buffer(TvmafModel **m_out, const char *json,
                                                        size_t len, const char *origin,
                                                        const TvmafModelConfig *cfg);

/** Frees a model; sets *m to NULL. NULL-safe. */
TVMAF_API void tvmaf_model_free(TvmafModel **m);

/** The name scores are reported under (static for the model's lifetime). */
TVMAF_API const char *tvmaf_model_name(const TvmafModel *m);

/**
 * Sets in `s` the feature options the model's features were trained with
 * (the gain limits of the "neg" models; everything else untouched). A
 * context opened with these settings can feed the model from its fixed
 * feature set (see tvmaf_model_runs_on_fixed_set()).
 * @return 0 or TVMAF_ERR(EINVAL).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_model_apply_settings(const TvmafModel *m, TvmafSettings *s);

/**
 * Overrides one extractor option for every feature of the model that the
 * extractor provides, as libvmaf's `--model version=...:cambi.enc_width=1280`
 * does ("cambi", "enc_width", "1280"). Call it before the model feeds a
 * context or a scorer.
 * @return 0; TVMAF_ERR(ENOENT) the model uses no such extractor, or the
 *         extractor has no such option; TVMAF_ERR(EINVAL) a bad value
 *         (logged to the model's logger, one line).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_model_set_feature_option(TvmafModel *m,
                                                               const char *extractor,
                                                               const char *option,
                                                               const char *value);

/** 1 when the model can read a context's fixed feature set (enum
 *  TvmafFeature, with tvmaf_model_apply_settings()), 0 when it needs
 *  extractor instances. */
TVMAF_API int tvmaf_model_runs_on_fixed_set(const TvmafModel *m);

/** 1 when one of the model's features reads the chroma planes (speed_chroma). */
TVMAF_API int tvmaf_model_needs_chroma(const TvmafModel *m);

/** Number of input features. */
TVMAF_API unsigned tvmaf_model_feature_count(const TvmafModel *m);

/** Name of input feature i as the model file spells it, or NULL. */
TVMAF_API const char *tvmaf_model_feature_name(const TvmafModel *m, unsigned i);

/**
 * Asks context `c` (before its first picture) for the extractor instances
 * the model's features come from (tvmaf_use_feature()).
 * @return 0 or as tvmaf_use_feature().
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_model_use_features(const TvmafModel *m, TvmafContext *c);

/**
 * Predicts one frame from the model's `n` feature values in model order
 * (tvmaf_model_feature_name()), with libvmaf's steps: normalisation,
 * chroma correction, SVR, de-normalisation, transform, clip.
 * @return 0 or TVMAF_ERR(EINVAL) (n is not the feature count).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_model_predict_values(const TvmafModel *m,
                                                           const double *values, unsigned n,
                                                           double *score);

/**
 * Predicts one frame from feature values indexed by enum TvmafFeature
 * (only the model's features are read), with libvmaf's steps:
 * normalisation, SVR, de-normalisation, transform, clip.
 * @return 0 or TVMAF_ERR(EINVAL) (also for a model that does not run on
 *         the fixed set).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_model_predict(const TvmafModel *m,
                                                    const double features[TVMAF_FEATURE_COUNT],
                                                    double *score);

/**
 * Predicts frame `index` of a flushed context: each feature from the
 * context's instance with the model's options, or else (a model running on
 * the fixed set) from the fixed set.
 * @return 0; TVMAF_ERR(EINVAL) when the context has neither (no instance,
 *         or gain limits other than the model's; see
 *         tvmaf_model_use_features(), tvmaf_model_apply_settings());
 *         otherwise as tvmaf_feature_score_at_index().
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_model_score_at_index(const TvmafModel *m,
                                                           const TvmafContext *c, unsigned index,
                                                           double *score);

/**
 * Pools the model's per-frame scores over a flushed context (frames
 * i % subsample == 0, as libvmaf).
 * @return as tvmaf_model_score_at_index() and tvmaf_pool().
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_model_score_pooled(const TvmafModel *m, const TvmafContext *c,
                                                         enum TvmafPoolMethod method, double *out);

#ifdef __cplusplus
}
#endif

#endif /* TVMAF_MODEL_H */
