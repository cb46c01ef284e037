/*
 * Batch manifests (tinyvmaf batch / merge): one scoring job per row, as CSV
 * with a header row or as JSON Lines (one flat object per line). The format
 * is chosen by the first byte that is not a blank or a UTF-8 byte-order
 * mark: '{' is JSON Lines, anything else CSV.
 *
 * Columns (keys): id, reference, distorted (required, non-empty); model,
 * tiny_model, scale, frame_cnt, frame_skip_ref, frame_skip_dist, subsample,
 * width, height, pixel_format, bitdepth (optional; empty or null = not
 * given). Unknown columns are refused (a typo would silently drop an
 * option).
 *
 * Two kinds of problems:
 *   - manifest errors (unreadable file, empty manifest, missing or unknown
 *     column, a row longer than TVMAF_BATCH_MAX_ROW bytes, malformed CSV or
 *     JSON, an empty required value, a duplicate id): one line each,
 *     "FILE:LINE: reason", and the whole manifest is refused before any
 *     job runs;
 *   - job errors (an id that is not a safe file name, an option value the
 *     CLI would refuse): kept in the job's `bad` and reported when the job
 *     would run; the other jobs run.
 *
 * Row digest: FNV-1a 64 over the canonical row (each given column as
 * "name=LEN:value\n", in the column order above) followed by the tinyvmaf
 * version. A result records it; resume and merge compare it.
 *
 * Shards: job `id` belongs to shard fnv1a64(id bytes) mod N, with FNV-1a
 * 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3): stable across
 * hosts, runs and manifest order, so schedulers need no coordination.
 */
#ifndef TVMAF_TOOLS_BATCH_MANIFEST_H
#define TVMAF_TOOLS_BATCH_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tinyvmaf/picture.h"

enum TvmafBatchField {
    TVMAF_BF_ID = 0,
    TVMAF_BF_REFERENCE,
    TVMAF_BF_DISTORTED,
    TVMAF_BF_MODEL,
    TVMAF_BF_TINY_MODEL,
    TVMAF_BF_SCALE,
    TVMAF_BF_FRAME_CNT,
    TVMAF_BF_FRAME_SKIP_REF,
    TVMAF_BF_FRAME_SKIP_DIST,
    TVMAF_BF_SUBSAMPLE,
    TVMAF_BF_WIDTH,
    TVMAF_BF_HEIGHT,
    TVMAF_BF_PIXEL_FORMAT,
    TVMAF_BF_BITDEPTH,
    TVMAF_BF_COUNT,
};

#define TVMAF_BATCH_MAX_ROW (64 * 1024)           ///< bytes per row (CSV record or JSON line)
#define TVMAF_BATCH_MAX_MANIFEST (256u << 20)    ///< bytes per manifest file
#define TVMAF_BATCH_MAX_ID 200                   ///< bytes per job id
#define TVMAF_BATCH_MAX_ERRORS 20                ///< manifest errors printed before "..."

/** Option values of one job, parsed as the CLI parses its flags. */
typedef struct TvmafBatchOpts {
    unsigned frame_cnt;           ///< 0 = all
    int frame_cnt_given;
    int scale_flags;      ///< the job's scale: swscale method flag, 0 = sizes must match
    unsigned skip_ref, skip_dis;
    unsigned subsample;           ///< >= 1
    int raw;                      ///< width/height/pixel_format/bitdepth given
    int w, h, bpc;
    enum TvmafPixelLayout layout;
} TvmafBatchOpts;

typedef struct TvmafBatchJob {
    char *field[TVMAF_BF_COUNT];  ///< NULL when not given
    size_t line;                  ///< manifest line the row starts on
    uint64_t digest;              ///< row digest (see above)
    TvmafBatchOpts opts;
    char *bad;                    ///< job error, or NULL
    int id_safe;                  ///< the id may name files in the output directory
} TvmafBatchJob;

typedef struct TvmafManifest {
    char *path;
    char *dir;                    ///< directory of the manifest ("." when none)
    TvmafBatchJob *jobs;
    size_t n_jobs;
    int jsonl;                    ///< 1: JSON Lines, 0: CSV
} TvmafManifest;

/** Column name of field f. */
const char *tvmaf_batch_field_name(enum TvmafBatchField f);

/**
 * Parses a manifest held in memory (`name` labels the messages; `dir` is
 * where relative paths start, NULL = "."). Manifest errors go to `errf`
 * (NULL: not printed). @return 0, or the number of manifest errors (> 0)
 * with *m cleared, or -ENOMEM.
 */
int tvmaf_batch_manifest_parse(TvmafManifest *m, const char *data, size_t len, const char *name,
                               const char *dir, FILE *errf);

/** Reads and parses `path`; an unreadable file is one manifest error. */
int tvmaf_batch_manifest_load(TvmafManifest *m, const char *path, FILE *errf);

void tvmaf_batch_manifest_free(TvmafManifest *m);

/** FNV-1a 64 of n bytes. */
uint64_t tvmaf_batch_fnv1a(const void *data, size_t n);

/** Shard (0..n-1) of a job id. */
unsigned tvmaf_batch_shard_of(const char *id, unsigned n);

/**
 * 1 if `id` can name files in the output directory: 1..TVMAF_BATCH_MAX_ID
 * bytes of [A-Za-z0-9._-], not starting with '.' or '-', not ending in
 * ".error" (ID.error.json is the error file of the job ID).
 */
int tvmaf_batch_id_safe(const char *id);

/**
 * `value` resolved against `dir` (absolute paths as they are). The result
 * is malloc'd; NULL on ENOMEM.
 */
char *tvmaf_batch_resolve(const char *dir, const char *value);

/* ---- flat JSON objects: the JSON Lines rows, the result's "batch" block ---- */

typedef struct TvmafFlatKV {
    char *key;
    char *value;                  ///< unescaped string, or the number's text; NULL for null
    int is_string;
} TvmafFlatKV;

/**
 * Parses one flat JSON object (values: strings, numbers, true/false, null)
 * starting at s[0] (leading blanks allowed). On success *end is the byte
 * after the closing brace. \u0000 and invalid escapes are refused; nested
 * objects and arrays are refused. @return the number of pairs (>= 0),
 * -1 with a reason in `err`, or -ENOMEM.
 */
int tvmaf_flat_json_parse(const char *s, size_t n, TvmafFlatKV **kv, const char **end, char *err,
                          size_t errlen);

void tvmaf_flat_json_free(TvmafFlatKV *kv, int n);

#endif /* TVMAF_TOOLS_BATCH_MANIFEST_H */
