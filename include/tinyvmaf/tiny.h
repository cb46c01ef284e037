/*
 * tinyvmaf — tiny fusion models: small MLPs over VMAF features, stored as
 * ONNX, run by tinyvmaf's own interpreter (no onnxruntime).
 *
 * A model is found by id through a registry (registry.json) or by path,
 * with its sidecar JSON at ${PATH%.onnx}.json. The library carries a
 * built-in registry: the models tinyvmaf ships (vmaf_tiny_v2, ...),
 * compiled in with their digests, found by id with no file on disk.
 *
 * Trust root (docs/security.md): a registry entry pins the sha256 of every
 * file a model is made of: the ONNX file ("sha256"), its sidecar
 * ("sidecar_sha256"; the sidecar sets the feature order) and each external
 * data file ("data_sha256": {file: digest}). A model loaded by id is refused
 * when any of its files is unpinned or differs from its pin. A model loaded
 * by path vouches for itself: its sidecar's sha256 (or a registry.json
 * beside it) pins the ONNX file and the sidecar may pin external data
 * ("data_sha256"); unpinned external data is then accepted with a warning.
 * Every digest is checked on the exact bytes that are then parsed.
 * The sidecar's `features` list names the engine outputs the model takes,
 * in input order.
 *
 * Numerics: int8 models (DynamicQuantizeLinear + MatMulInteger) are
 * bit-identical to onnxruntime's CPU provider for the same batch. fp32
 * models sum Gemm/MatMul products in ascending order; see docs/tiny.md for
 * the bound (observed: under 2e-6 relative against onnxruntime).
 *
 * Threading: a loaded model is read-only. tvmaf_tiny_model_run() may be
 * called from several threads at once on the same model. The logger given
 * at load is called from the loading thread only.
 *
 * Typical use:
 *
 *     TvmafTinyLoadOptions o;
 *     tvmaf_tiny_default_load_options(&o);
 *     TvmafTinyModel *m;
 *     if (tvmaf_tiny_model_load(&m, "vmaf_tiny_v2", &o) < 0) ...
 *     unsigned k = tvmaf_tiny_model_n_features(m);
 *     // in[i * k + j] = value of feature tvmaf_tiny_model_feature_name(m, j) in frame i
 *     tvmaf_tiny_model_run(m, in, n_frames, scores);
 *     tvmaf_tiny_model_free(&m);
 */
#ifndef TVMAF_TINY_H
#define TVMAF_TINY_H

#include <stddef.h>
#include <stdint.h>

#include "tinyvmaf/common.h"
#include "tinyvmaf/tinyvmaf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct TvmafTinyModel TvmafTinyModel;

/** Environment variable naming the model directory and jail. */
#define TVMAF_TINY_MODEL_DIR_ENV "TINYVMAF_MODEL_DIR"

typedef struct TvmafTinyLoadOptions {
    /** Directory holding registry.json, used to resolve ids (default NULL:
     *  $TINYVMAF_MODEL_DIR when set, else the installed model directory,
     *  see tvmaf_tiny_default_model_dir()). */
    const char *registry_dir;
    /** Directory jail: the model, its sidecar and the registry must resolve
     *  (after symlinks and "..") to paths inside it (default NULL:
     *  $TINYVMAF_MODEL_DIR when set, else no jail). External data is
     *  always confined to the model's own directory. */
    const char *jail_dir;
    /** 1: do not read $TINYVMAF_MODEL_DIR (default 0). */
    int ignore_env;
    /** Receives one ERROR line per failed call, naming the file and the
     *  cause, and WARNING lines (default: stderr, as tinyvmaf.h). */
    TvmafLogger logger;
    /** TVMAF_CPU_FLAG_* bits the model's kernels may not use, as
     *  TvmafSettings.cpu_mask (default 0). Scores do not depend on it. */
    unsigned cpu_mask;
    /** 1: ids are not looked up in the built-in registry (default 0). */
    int no_builtin;
    uint8_t reserved[24]; ///< must stay zero
} TvmafTinyLoadOptions;

/** Fills `o` with the defaults documented on each field. NULL-safe. */
TVMAF_API void tvmaf_tiny_default_load_options(TvmafTinyLoadOptions *o);

/** The compiled-in model directory (the installed registry). */
TVMAF_API const char *tvmaf_tiny_default_model_dir(void);

/**
 * Loads a tiny model.
 *
 * `id_or_path` is a path when it contains a '/' or ends in ".onnx", else a
 * registry id. An id is looked up in opt->registry_dir's registry when
 * that is set; otherwise first in the built-in registry, then in
 * $TINYVMAF_MODEL_DIR's (or the installed model directory's). The registry
 * entry gives the file (relative to the registry directory, which it may
 * not leave) and the pins; an id "<id>_int8" selects the int8 file of an
 * entry that lists int8_sha256.
 * For a path, the sidecar ${PATH%.onnx}.json gives the sha256 (an
 * "X.int8.onnx" without its own sidecar uses X.json's int8_sha256); with
 * no sidecar, a registry.json in the model's directory listing the file
 * must give it. A model without any sidecar is accepted only when its
 * input has 6 features, which are then the canonical six (a warning is
 * logged).
 *
 * External data is read only from files inside the model's directory.
 *
 * @param out        receives the model; NULL on failure
 * @param id_or_path registry id or file path
 * @param opt        options; NULL means the defaults
 * @return 0;
 *         TVMAF_ERR(EINVAL)  NULL argument, bad id, non-zero reserved bytes;
 *         TVMAF_ERR(ENOENT)  unknown id, missing file or registry;
 *         TVMAF_ERR(EACCES)  sha256 mismatch, no sha256 to check against,
 *                            path outside the jail or the model directory;
 *         TVMAF_ERR(EBADMSG) malformed ONNX, sidecar or registry;
 *         TVMAF_ERR(ENOTSUP) unsupported IR version, opset, op, type or
 *                            size (the message names it);
 *         TVMAF_ERR(EIO)     read error; TVMAF_ERR(ENOMEM).
 *         The caller owns the model and frees it with tvmaf_tiny_model_free().
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_tiny_model_load(TvmafTinyModel **out,
                                                      const char *id_or_path,
                                                      const TvmafTinyLoadOptions *opt);

/**
 * Runs the model on `n` rows.
 * @param in  n * tvmaf_tiny_model_n_features() floats, row-major, columns in
 *            the order of tvmaf_tiny_model_feature_name(); all finite
 * @param n   rows; 0 does nothing
 * @param out receives n scores (unclamped)
 * For int8 models every row's score depends on the whole batch (one
 * quantisation range, as onnxruntime): see tvmaf_tiny_model_batch_dependent().
 * @return 0, TVMAF_ERR(EINVAL) for a NULL pointer, a non-finite input
 *         (logged with its row and feature) or n too large,
 *         TVMAF_ERR(ENOMEM). Reentrant.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_tiny_model_run(const TvmafTinyModel *m, const float *in,
                                                     size_t n, float *out);

/** Model id (sidecar or registry id, else the file name without .onnx). */
TVMAF_API const char *tvmaf_tiny_model_id(const TvmafTinyModel *m);
/** "fr", "nr" or "filter"; "fr" when nothing says otherwise. */
TVMAF_API const char *tvmaf_tiny_model_kind(const TvmafTinyModel *m);
/** Verified sha256 of the ONNX file, 64 lowercase hex digits. */
TVMAF_API const char *tvmaf_tiny_model_sha256(const TvmafTinyModel *m);
/** Canonical path of the ONNX file that was loaded. */
TVMAF_API const char *tvmaf_tiny_model_path(const TvmafTinyModel *m);
/** Number of input features k (the model takes [N, k]). 0 for NULL. */
TVMAF_API unsigned tvmaf_tiny_model_n_features(const TvmafTinyModel *m);
/** Name of input feature i ("adm2", "vif_scale0".."vif_scale3", "motion2",
 *  ...), or NULL when out of range. Owned by the model. */
TVMAF_API const char *tvmaf_tiny_model_feature_name(const TvmafTinyModel *m, unsigned i);
/** 1 when a row's score depends on the other rows of its batch (int8
 *  dynamic quantisation): score a clip in one call. 0 otherwise. */
TVMAF_API int tvmaf_tiny_model_batch_dependent(const TvmafTinyModel *m);

/** Frees a model; NULL-safe, sets *m to NULL. */
TVMAF_API void tvmaf_tiny_model_free(TvmafTinyModel **m);

/* ---- Registry ------------------------------------------------------------- */

typedef struct TvmafTinyRegistry TvmafTinyRegistry;

/** One registry entry. Strings are owned by the registry. */
typedef struct TvmafTinyRegistryEntry {
    const char *id;          ///< registry id
    const char *kind;        ///< "fr", "nr" or "filter"
    const char *file;        ///< ONNX file, relative to the registry directory
    const char *sha256;      ///< expected sha256 of `file`
    const char *license;     ///< licence string, NULL if absent
    int opset;               ///< ONNX opset, 0 if absent
    const char *int8_file;   ///< "<file>.int8.onnx" when int8_sha256 is listed, else NULL
    const char *int8_sha256; ///< expected sha256 of int8_file, or NULL
    const char *sidecar_sha256;      ///< pin of "<file without .onnx>.json", or NULL
    const char *int8_sidecar_sha256; ///< pin of "<file without .onnx>.int8.json", or NULL
    unsigned n_data;                 ///< external data files pinned
    const char *const *data_file;    ///< their names, relative to the model's directory
    const char *const *data_sha256;  ///< their pins
    int builtin;                     ///< 1 for an entry of the built-in registry
} TvmafTinyRegistryEntry;

/**
 * Reads registry.json from opt->registry_dir (or its default).
 * @return 0, TVMAF_ERR(ENOENT) no registry, TVMAF_ERR(EBADMSG) malformed,
 *         TVMAF_ERR(EACCES) outside the jail, TVMAF_ERR(ENOMEM). The caller
 *         frees the registry with tvmaf_tiny_registry_free().
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_tiny_registry_open(TvmafTinyRegistry **out,
                                                         const TvmafTinyLoadOptions *opt);
/**
 * Opens the built-in registry (the models compiled into the library).
 * Never reads a file. @return 0, TVMAF_ERR(EBADMSG) (a damaged binary),
 * TVMAF_ERR(ENOMEM), TVMAF_ERR(EINVAL).
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_tiny_registry_open_builtin(TvmafTinyRegistry **out,
                                                                 const TvmafTinyLoadOptions *opt);

/** Canonical directory the registry was read from ("built-in" for the built-in one). */
TVMAF_API const char *tvmaf_tiny_registry_dir(const TvmafTinyRegistry *r);
/** Number of entries. */
TVMAF_API unsigned tvmaf_tiny_registry_count(const TvmafTinyRegistry *r);
/** Entry i, or NULL when out of range. */
TVMAF_API const TvmafTinyRegistryEntry *tvmaf_tiny_registry_entry(const TvmafTinyRegistry *r,
                                                                  unsigned i);
/**
 * Hashes every file entry i pins (int8 = 1: the int8 file and its sidecar
 * instead of the fp32 ones; external data either way) and compares.
 * @return 0 match, TVMAF_ERR(EACCES) mismatch or outside the directory,
 *         TVMAF_ERR(ENOENT) missing file (or no int8 file listed),
 *         TVMAF_ERR(EINVAL), TVMAF_ERR(EIO), TVMAF_ERR(ENOMEM). Logged.
 */
TVMAF_API TVMAF_WARN_UNUSED int tvmaf_tiny_registry_verify(const TvmafTinyRegistry *r,
                                                           unsigned i, int int8);
/** Frees a registry; NULL-safe, sets *r to NULL. */
TVMAF_API void tvmaf_tiny_registry_free(TvmafTinyRegistry **r);

#ifdef __cplusplus
}
#endif

#endif /* TVMAF_TINY_H */
