/*
 * tinyvmaf training toolkit: feature tables, the MLP trainer, metrics,
 * cross-validation and the ONNX exporter.
 *
 * Everything here is internal to the `tinyvmaf_train` static library and
 * the CLI commands in tools/cmd_train.c and tools/cmd_tiny.c (predict);
 * nothing is exported from libtinyvmaf.
 *
 * Determinism contract: for the same table, recipe and seed, training
 * produces bit-identical parameters on every run, for every thread count
 * and on every x86-64 ISA level (see src/model/mlp.h for how the
 * kernels keep their summation order independent of the vector width).
 *
 * Errors: every fallible call returns 0 or a negative TVMAF_ERR() code with
 * the meanings of include/tinyvmaf/common.h, and logs exactly one line
 * through the TvmafLogger it was given.
 */
#ifndef TVMAF_TRAIN_TRAIN_H
#define TVMAF_TRAIN_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tinyvmaf/tinyvmaf.h"

#define TVMAF_TRAIN_MAX_FEATURES 64
#define TVMAF_TRAIN_MAX_HIDDEN 8       ///< hidden layers
#define TVMAF_TRAIN_MAX_WIDTH 1024     ///< units per hidden layer
#define TVMAF_TRAIN_MAX_ROWS 100000000 ///< rows per table (bounds every allocation)
#define TVMAF_TRAIN_MAX_EPOCHS 100000
#define TVMAF_TRAIN_MAX_BATCH 65536

/* ---------------------------------------------------------------- tables */

/** Which columns to read from a CSV feature table. */
typedef struct TvmafTableSpec {
    const char *const *features; ///< feature column names, in model input order
    int n_features;              ///< 1..TVMAF_TRAIN_MAX_FEATURES
    const char *target;          ///< target column, or NULL for none (scoring only)
    const char *group;           ///< group column, or NULL for none
    int drop_nonfinite;          ///< 1: drop rows with NaN/inf in a used column; 0: refuse them
    int allow_empty;             ///< 1: a header without data rows is a table of 0 rows
} TvmafTableSpec;

typedef struct TvmafTable {
    size_t n_rows;
    int n_features;
    char **feature_names;  ///< [n_features]
    float *x;              ///< [n_rows][n_features], row-major
    float *y;              ///< [n_rows], NULL without a target column
    int *group;            ///< [n_rows] index into group_names, NULL without a group column
    int n_groups;
    char **group_names;    ///< [n_groups], sorted by strcmp
    size_t *group_rows;    ///< [n_groups] rows per group
    size_t n_dropped;      ///< rows removed by drop_nonfinite
    uint8_t sha256[32];    ///< of the file's bytes
} TvmafTable;

/**
 * Reads a CSV table: a header row, then one row per frame; fields are
 * separated by commas and may be double-quoted ("" is a literal quote);
 * CRLF is accepted; blanks around names and numbers are ignored. Used
 * columns must parse completely as numbers. Dropped rows are reported
 * with one warning.
 *
 * @return 0; TVMAF_ERR(ENOENT) file missing or a column missing;
 *         TVMAF_ERR(EBADMSG) malformed table (non-numeric cell, NaN/inf
 *         without drop_nonfinite, ragged row, no data rows);
 *         TVMAF_ERR(EIO) read error; TVMAF_ERR(ENOMEM).
 *         On failure *t is left empty (tvmaf_table_free() is still safe).
 */
int tvmaf_table_load(TvmafTable *t, const char *path, const TvmafTableSpec *spec,
                     const TvmafLogger *log);

/** Frees what a table owns and zeroes it. NULL-safe. */
void tvmaf_table_free(TvmafTable *t);

/** 1 when every row of t (which has a target) holds the same target value. */
int tvmaf_table_target_constant(const TvmafTable *t);

/* ---------------------------------------------------------------- models */

/** A fully connected ReLU network with a baked-in standard scaler. */
typedef struct TvmafMlp {
    int n_in;
    int n_layers;                        ///< Linear layers (hidden + 1)
    int width[TVMAF_TRAIN_MAX_HIDDEN + 2]; ///< width[0] = n_in, width[n_layers] = 1
    float *w[TVMAF_TRAIN_MAX_HIDDEN + 1];  ///< [out][in], PyTorch Linear layout
    float *b[TVMAF_TRAIN_MAX_HIDDEN + 1];  ///< [out]
    double mean[TVMAF_TRAIN_MAX_FEATURES]; ///< scaler as fitted (float64)
    double std[TVMAF_TRAIN_MAX_FEATURES];  ///< population std, < 1e-8 replaced by 1
    float meanf[TVMAF_TRAIN_MAX_FEATURES]; ///< the float32 values the graph uses
    float stdf[TVMAF_TRAIN_MAX_FEATURES];
    float *params;                       ///< one block holding every w and b
    size_t n_params;
} TvmafMlp;

/** The training recipe. tvmaf_recipe_default() gives upstream's. */
typedef struct TvmafRecipe {
    char arch[32];                       ///< "mlp_small", "mlp_medium", "mlp_large" or "custom"
    int hidden[TVMAF_TRAIN_MAX_HIDDEN];  ///< hidden layer widths
    int n_hidden;
    int epochs;                          ///< default 90
    int batch;                           ///< default 256
    double lr;                           ///< Adam step, default 1e-3
    double beta1, beta2, eps;            ///< default 0.9, 0.999, 1e-8
    uint64_t seed;                       ///< default 0
    unsigned cpu_mask;                   ///< TVMAF_CPU_FLAG_* bits the kernels may not use
                                         ///< (--cpumask; default 0). Results never depend
                                         ///< on it, and no JSON records it.
} TvmafRecipe;

/** Upstream's recipe with mlp_medium. */
void tvmaf_recipe_default(TvmafRecipe *r);

/**
 * Sets r->arch and r->hidden from a name (mlp_small 16,8; mlp_medium 32,16;
 * mlp_large 64,32,16). @return 0 or TVMAF_ERR(EINVAL) for an unknown name.
 */
int tvmaf_recipe_set_arch(TvmafRecipe *r, const char *name);

/** Parses "32,16" into r->hidden (arch becomes "custom"). @return 0 or TVMAF_ERR(EINVAL). */
int tvmaf_recipe_set_hidden(TvmafRecipe *r, const char *list);

/**
 * Sets one recipe option from its command-line text (train/options.c):
 * "arch", "hidden", "epochs", "batch", "lr", "seed" (one number) or
 * "cpumask". @return 1 set; 0 not a recipe option; TVMAF_ERR(EINVAL) a
 * bad value, with a one-line reason naming --NAME in `err`.
 */
int tvmaf_recipe_set_option(TvmafRecipe *r, const char *name, const char *value, char *err,
                            size_t errlen);

/**
 * Parses a seed list ("0-4", "0,3,7", "0-2,9") into seeds[max].
 * @return the count, or TVMAF_ERR(EINVAL) with a reason in `err` (bad
 *         syntax, more than max seeds).
 */
int tvmaf_seed_list_parse(const char *s, uint64_t *seeds, int max, char *err, size_t errlen);

/** Allocates an uninitialised network. @return 0, TVMAF_ERR(EINVAL) or TVMAF_ERR(ENOMEM). */
int tvmaf_mlp_alloc(TvmafMlp *m, int n_in, const int *hidden, int n_hidden);

/** Frees what m owns and zeroes it. NULL-safe. */
void tvmaf_mlp_free(TvmafMlp *m);

/** Progress report, called once per epoch from the training thread. */
typedef void (*TvmafTrainProgress)(void *cookie, int epoch, int epochs, double loss,
                                   double rows_per_s);

/**
 * Fits the scaler on x, initialises the network like PyTorch's nn.Linear
 * from recipe->seed and trains it with Adam on the MSE loss, one fresh
 * shuffle per epoch. x is [n][k] raw features, y the targets.
 * `final_loss` (optional) receives the last epoch's mean batch loss.
 * @return 0, TVMAF_ERR(EINVAL) (bad recipe, n == 0) or TVMAF_ERR(ENOMEM).
 */
int tvmaf_mlp_train(TvmafMlp *m, const float *x, const float *y, size_t n, int k,
                    const TvmafRecipe *recipe, TvmafTrainProgress progress, void *cookie,
                    double *final_loss, const TvmafLogger *log);

/**
 * Runs the network (scaler included) on n rows of raw features with the
 * same float32 arithmetic the exported graph specifies:
 * ((x - mean) / std) then Gemm/Relu. out receives n values. cpu_mask:
 * TVMAF_CPU_FLAG_* bits the kernels may not use (results do not depend on it).
 * @return 0 or TVMAF_ERR(ENOMEM).
 */
int tvmaf_mlp_predict(const TvmafMlp *m, const float *x, size_t n, float *out,
                      unsigned cpu_mask);

/* ---------------------------------------------------------------- metrics */

/** Pearson correlation; NaN when either side is constant or n < 2. */
double tvmaf_metric_plcc(const double *a, const double *b, size_t n);
/** Spearman correlation (Pearson of ranks, ties get their average rank). */
double tvmaf_metric_srocc(const double *a, const double *b, size_t n);
/** Root mean square of a - b. */
double tvmaf_metric_rmse(const double *a, const double *b, size_t n);
/** Mean and sample standard deviation (ddof = 1; NaN std when n < 2). */
void tvmaf_metric_mean_std(const double *v, size_t n, double *mean, double *std);

typedef struct TvmafScores {
    double plcc, srocc, rmse;
} TvmafScores;

/** PLCC, SROCC and RMSE of float predictions against float targets. @return 0 or ENOMEM. */
int tvmaf_scores_compute(TvmafScores *s, const float *pred, const float *target, size_t n);

/* ------------------------------------------------------------ evaluation */

enum TvmafCvMode {
    TVMAF_CV_NONE = 0,  ///< train and test on the whole table
    TVMAF_CV_LOSO = 1,  ///< one fold per group
    TVMAF_CV_KFOLD = 2, ///< k folds of whole groups
};

typedef struct TvmafFoldResult {
    int fold;
    uint64_t seed;
    size_t n_train, n_test;
    int n_test_groups;
    int *test_groups;     ///< [n_test_groups] indices into the table's group_names
    TvmafScores test;
    TvmafScores train;
    double train_loss;    ///< last epoch's mean batch MSE
} TvmafFoldResult;

typedef struct TvmafEvalResult {
    int n_folds;
    int n_seeds;
    TvmafFoldResult *per_fold; ///< [n_seeds * n_folds], seed-major
    size_t n_rows;
    float *oof;                ///< [n_seeds * n_rows]: each row's prediction by the model of
                               ///< the fold that held it out (in-sample: the one model)
} TvmafEvalResult;

/**
 * Cross-validates `recipe` on t: for every seed in seeds[] and every fold,
 * fits the scaler and trains on the training rows and scores the test
 * rows. Jobs run on n_threads threads (0 = one per core); results never
 * depend on it. Folds: LOSO takes groups in name order; KFOLD assigns
 * groups, largest first (ties by name), to the fold holding fewest rows
 * (ties: lowest index), as scikit-learn's GroupKFold does. `progress`
 * (optional) is called after each job, from a worker thread, serialised.
 * @return 0; TVMAF_ERR(EINVAL) fewer than 2 groups, an empty fold or a
 *         constant target in a test fold; TVMAF_ERR(ENOMEM).
 */
typedef void (*TvmafEvalProgress)(void *cookie, int done, int total);

int tvmaf_eval_run(TvmafEvalResult *res, const TvmafTable *t, enum TvmafCvMode mode, int k,
                   const uint64_t *seeds, int n_seeds, const TvmafRecipe *recipe, int n_threads,
                   TvmafEvalProgress progress, void *cookie, const TvmafLogger *log);

void tvmaf_eval_result_free(TvmafEvalResult *res);

/**
 * Scores a fixed model's predictions pred[t->n_rows] against t's target:
 * one fold per group (groups in name order), or one fold of all rows when
 * t has no group column; one seed. res is overwritten (free it with
 * tvmaf_eval_result_free() either way).
 * @return 0 or TVMAF_ERR(ENOMEM).
 */
int tvmaf_eval_fixed(TvmafEvalResult *res, const TvmafTable *t, const float *pred);

typedef struct TvmafStr TvmafStr; /* below, with the other JSON helpers */

/** What an evaluation report says (train/report.c). */
typedef struct TvmafEvalReport {
    const char *mode;                  ///< "loso", "kfold", "insample" or "model"
    int k;                             ///< kfold's K, else 0 (then not written)
    const uint64_t *seeds;             ///< [n_seeds]
    int n_seeds;
    const TvmafRecipe *recipe;         ///< NULL for "model"
    const char *model_id, *model_sha256; ///< "model" only
    const char *data_path;             ///< the table as given
    const char *target, *group;        ///< column names as given
    const TvmafTable *t;
    const TvmafEvalResult *res;
} TvmafEvalReport;

/** Appends the JSON report (docs/eval.schema.json). @return 0 or TVMAF_ERR(ENOMEM). */
int tvmaf_eval_report_json(TvmafStr *b, const TvmafEvalReport *rp);

/** Prints the per-fold table and the aggregate lines to f. */
void tvmaf_eval_report_print(FILE *f, const TvmafEvalReport *rp);

/**
 * Writes every row's out-of-fold prediction per seed as CSV (row, group,
 * target, seed_S...), atomically. @return 0 or TVMAF_ERR(EIO) (logged).
 */
int tvmaf_eval_write_predictions(const char *path, const TvmafEvalReport *rp,
                                 const TvmafLogger *log);

/* ---------------------------------------------------------------- export */

/** What goes into the sidecar's provenance block. */
typedef struct TvmafProvenance {
    const char *id;            ///< model id (sidecar "id")
    const char *onnx_name;     ///< file name stored in the sidecar "onnx"
    const char *data_path;     ///< corpus file as given
    const uint8_t *data_sha256;
    size_t n_rows;
    const TvmafRecipe *recipe;
    const TvmafScores *train;  ///< in-sample metrics
    double train_loss;
    const char *target;        ///< target column name
    const char *notes;         ///< optional
} TvmafProvenance;

/**
 * Serialises m as ONNX (IR 8, opset 17): Sub(mean) -> Div(std) ->
 * Gemm(transB=1) -> Relu -> ... -> Gemm -> Squeeze(axes -1), input
 * "features" float32 [N,k], output "vmaf" float32 [N]. The bytes depend
 * only on m and the names. *buf is malloc'ed (caller frees).
 * @return 0, TVMAF_ERR(ENOTSUP) (built without protobuf-c) or TVMAF_ERR(ENOMEM).
 */
int tvmaf_onnx_export(const TvmafMlp *m, const char *const *feature_names, uint8_t **buf,
                      size_t *len);

/**
 * Writes `path` (the ONNX model) and the sidecar JSON at `sidecar_path`,
 * each through a temporary file renamed into place.
 * @return 0, TVMAF_ERR(EIO), TVMAF_ERR(ENOTSUP) or TVMAF_ERR(ENOMEM).
 */
int tvmaf_model_write(const TvmafMlp *m, const char *const *feature_names, const char *path,
                      const char *sidecar_path, const TvmafProvenance *prov,
                      const TvmafLogger *log);

/* ------------------------------------------------------- the commands */
/*
 * What `tinyvmaf train`, `eval` and `export` do, each as one call
 * (train/run.c); the CLI parses options around them and prints results.
 */

/** `tinyvmaf train`: a table in, a trained network and the files asked for out. */
typedef struct TvmafTrainJob {
    const char *data;                 ///< CSV table
    const char *const *features;      ///< feature columns, in model input order
    int n_features;
    const char *target;
    int drop_nonfinite;
    TvmafRecipe recipe;
    const char *out;                  ///< NAME.onnx, or NULL for none
    const char *sidecar, *id, *notes; ///< with out: tvmaf_model_names()'s, and notes or NULL
    const char *predictions;          ///< CSV of the predictions ("vmaf" column), or NULL
    const char *checkpoint;           ///< checkpoint for tinyvmaf export, or NULL
    TvmafTrainProgress progress;      ///< or NULL
    void *cookie;
} TvmafTrainJob;

typedef struct TvmafTrainResult {
    TvmafTable t;          ///< the table as read
    TvmafMlp m;            ///< the trained network
    TvmafScores train;     ///< in-sample PLCC, SROCC, RMSE
    double loss;           ///< last epoch's mean batch loss
    double seconds;        ///< training time
} TvmafTrainResult;

/**
 * Reads the table, refuses a constant target, trains, scores the network
 * on its own table, then writes the predictions, the checkpoint and the
 * model (each atomically) that the job names. @return 0 or a negative
 * TVMAF_ERR() (logged). Free r with tvmaf_train_result_free() either way.
 */
int tvmaf_train_job_run(const TvmafTrainJob *j, TvmafTrainResult *r, const TvmafLogger *log);

void tvmaf_train_result_free(TvmafTrainResult *r);

/**
 * NAME.onnx -> *sidecar NAME.json and *id (id_given, else NAME without
 * directories), both malloc'ed. @return 0, TVMAF_ERR(EINVAL) when `out`
 * does not end in .onnx, TVMAF_ERR(ENOMEM); logged.
 */
int tvmaf_model_names(const char *out, const char *id_given, char **sidecar, char **id,
                      const TvmafLogger *log);

/**
 * `tinyvmaf export`: rebuilds NAME.onnx and its sidecar from a checkpoint.
 * @return 0 or a negative TVMAF_ERR() (logged).
 */
int tvmaf_export_checkpoint(const char *checkpoint, const char *out, const char *sidecar,
                            const char *id, const char *notes, const TvmafLogger *log);

/** Writes the JSON report of tvmaf_eval_report_json() to path, atomically. */
int tvmaf_eval_report_write(const char *path, const TvmafEvalReport *rp, const TvmafLogger *log);

/** `tinyvmaf eval`: a recipe cross-validated on a table, or a fixed tiny model scored on it. */
typedef struct TvmafEvalJob {
    const char *data;                 ///< CSV table
    const char *const *features;      ///< feature columns (not with model: the model's own)
    int n_features;
    const char *target, *group;
    int group_given;                  ///< model: the group column was named (else optional)
    int drop_nonfinite;
    TvmafRecipe recipe;               ///< with model, only cpu_mask is used
    const char *model;                ///< registry id or NAME.onnx, or NULL to cross-validate
    enum TvmafCvMode mode;
    int k;                            ///< TVMAF_CV_KFOLD's K
    const uint64_t *seeds;            ///< [n_seeds], at least one (not with model)
    int n_seeds;
    int n_threads;                    ///< trainings in parallel (0 = one per core)
    const char *report;               ///< JSON report (docs/eval.schema.json), or NULL
    const char *predictions;          ///< out-of-fold predictions CSV, or NULL (not with model)
    TvmafEvalProgress progress;       ///< or NULL
    void *cookie;
} TvmafEvalJob;

/**
 * Runs the job: reads the table, cross-validates (or runs and scores the
 * model), prints the summary line and the per-fold table to `out`, then
 * writes the report and the predictions the job names (each atomically).
 * @return 0 or a negative TVMAF_ERR() (logged); TVMAF_ERR(ENOTSUP) for a
 *         model when built without the tiny-model runtime.
 */
int tvmaf_eval_job_run(const TvmafEvalJob *j, FILE *out, const TvmafLogger *log);

/** TvmafTrainProgress on stderr: one line rewritten per epoch, for a terminal. */
void tvmaf_train_progress_stderr(void *cookie, int epoch, int epochs, double loss,
                                 double rows_per_s);

/** TvmafEvalProgress on stderr: one line rewritten per training, for a terminal. */
void tvmaf_eval_progress_stderr(void *cookie, int done, int total);

#if TVMAF_TRAIN_HAVE_TINY
struct TvmafTinyModel;

/**
 * Reads the columns a tiny model takes, by name and in its input order;
 * spec gives the rest (target, group, drop_nonfinite, allow_empty; its
 * features are ignored). @return as tvmaf_table_load(), or
 * TVMAF_ERR(ENOTSUP) for a model with more than TVMAF_TRAIN_MAX_FEATURES
 * inputs.
 */
int tvmaf_table_load_for_model(TvmafTable *t, const char *path, const struct TvmafTinyModel *m,
                               const TvmafTableSpec *spec, const TvmafLogger *log);

/**
 * Runs a tiny model on every row of t, `batch` rows per call (0: all at
 * once; int8 models score a row relative to its batch) into out[t->n_rows].
 * Every score is checked before the call returns: one that is not finite
 * fails it. @return 0, TVMAF_ERR(EBADMSG) a score not finite, or the
 * model's error; logged.
 */
int tvmaf_tiny_predict(const struct TvmafTinyModel *m, const TvmafTable *t, size_t batch,
                       float *out, const TvmafLogger *log);

/**
 * `tinyvmaf predict`: loads `model` (a registry id, looked up in
 * registry_dir when not NULL, or NAME.onnx), reads its columns from the
 * CSV `features` ("-" = stdin; no data rows is no scores) and prints one
 * score per row (%.9g) to `out`, nothing unless every row was scored.
 * @return 0 or a negative TVMAF_ERR() (logged, except by a model load
 *         that logs nothing).
 */
int tvmaf_predict_run(const char *model, const char *registry_dir, const char *features,
                      size_t batch, FILE *out, const TvmafLogger *log);

/** `tinyvmaf eval --model`: a fixed model scored on a table. */
typedef struct TvmafModelEval {
    TvmafTable t;          ///< the model's columns; no group column unless one was found
    float *pred;           ///< [t.n_rows]
    TvmafScores all;       ///< over every row
    TvmafEvalResult res;   ///< per group (tvmaf_eval_fixed())
} TvmafModelEval;

/**
 * Reads the model's columns, the target and the group column (optional
 * unless group_given: without it the result has one fold of all rows),
 * refuses a constant target, runs the model and scores it.
 * @return 0 or a negative TVMAF_ERR() (logged). Free e either way.
 */
int tvmaf_model_eval(TvmafModelEval *e, const struct TvmafTinyModel *m, const char *data,
                     const char *target, const char *group, int group_given,
                     int drop_nonfinite, const TvmafLogger *log);

void tvmaf_model_eval_free(TvmafModelEval *e);
#endif

/* ------------------------------------------------------------ checkpoints */

/**
 * Writes a checkpoint (JSON: features, widths, scaler, float32 parameters
 * as %.9g, recipe, corpus and train metrics from prov; prov's id,
 * onnx_name and notes are not used) atomically, so that
 * tvmaf_checkpoint_read() and tvmaf_model_write() rebuild the same ONNX
 * bytes without the corpus. @return 0, TVMAF_ERR(EIO) or TVMAF_ERR(ENOMEM).
 */
int tvmaf_checkpoint_write(const char *path, const TvmafMlp *m, const char *const *features,
                           const TvmafProvenance *prov, const TvmafLogger *log);

/** A checkpoint read back. */
typedef struct TvmafCheckpoint {
    TvmafMlp mlp;
    const char *features[TVMAF_TRAIN_MAX_FEATURES]; ///< [mlp.n_in], owned by json
    TvmafRecipe recipe;
    TvmafScores train;
    uint8_t data_sha256[32];
    TvmafProvenance prov; ///< all but id, onnx_name and notes; points into this struct
    void *json;           ///< the parsed document (owns the strings)
} TvmafCheckpoint;

/**
 * Reads and checks a checkpoint written by tvmaf_checkpoint_write().
 * @return 0; TVMAF_ERR(EBADMSG) unreadable or malformed (one line logged);
 *         TVMAF_ERR(ENOTSUP) built without jansson. On failure *ck is empty.
 */
int tvmaf_checkpoint_read(TvmafCheckpoint *ck, const char *path, const TvmafLogger *log);

/** Frees what ck owns and zeroes it. NULL-safe. */
void tvmaf_checkpoint_free(TvmafCheckpoint *ck);

/* ---------------------------------------------------------------- helpers */

/** "k-32-16-1": the layer widths of m, joined by '-'. */
void tvmaf_mlp_arch_string(char *out, size_t size, const TvmafMlp *m);

/**
 * Writes len bytes to path atomically (util.h: tvmaf_atomic_write()), so a
 * failure never leaves a half-written file; logs one line on failure.
 * @return 0, TVMAF_ERR(EIO) or TVMAF_ERR(ENOMEM).
 */
int tvmaf_write_file_atomic(const char *path, const void *data, size_t len,
                            const TvmafLogger *log);

/** Shortest "%.*g" text of v that reads back as the same double ("null" for NaN/inf). */
void tvmaf_json_double(char *out, size_t size, double v);

/** A growable text buffer for the JSON writers. */
typedef struct TvmafStr {
    char *s;
    size_t len, cap;
    int oom;
} TvmafStr;

void tvmaf_str_printf(TvmafStr *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** Appends a JSON string literal (quotes and escapes included). */
void tvmaf_str_json_string(TvmafStr *b, const char *s);
void tvmaf_str_json_double(TvmafStr *b, double v);
void tvmaf_str_free(TvmafStr *b);

/** The recipe's fields as JSON members (no braces), one per line, each line prefixed by indent. */
void tvmaf_json_recipe(TvmafStr *b, const TvmafRecipe *r, const char *indent);

#endif /* TVMAF_TRAIN_TRAIN_H */
