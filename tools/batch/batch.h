/*
 * tinyvmaf batch / merge (docs/scale-out.md): runs a manifest's jobs, or
 * one shard of them, into an output directory, and gathers the results.
 *
 * Output directory layout:
 *   ID.json        the job's result: the JSON of `tinyvmaf -o F --json`, with
 *                  a last top-level block "batch" (one line: id, row_digest,
 *                  tinyvmaf version, frames, "mean.NAME" per model score);
 *                  written atomically
 *   ID.error.json  a failed job: {"id", "row_digest", "tinyvmaf", "error"}
 * A job is up to date when ID.json exists and its "batch" block carries the
 * row digest of the manifest row (which covers the tinyvmaf version). Each
 * job writes one file and removes the other kind, so a directory holds at
 * most one of them per id. Names starting with '.' are temporaries.
 */
#ifndef TVMAF_TOOLS_BATCH_BATCH_H
#define TVMAF_TOOLS_BATCH_BATCH_H

#include "batch/manifest.h"

typedef struct TvmafBatchRunOpts {
    const char *out_dir;
    unsigned jobs;          ///< jobs in parallel (>= 1)
    int threads;            ///< engine threads per job; 0 = cores / jobs (at least 1)
    unsigned cpu_mask;
    unsigned shard, shards; ///< shards == 0: every job
    int quiet;              ///< no summary line (progress shows on a TTY only anyway)
} TvmafBatchRunOpts;

/** Runs the jobs. @return the exit status: 0 all done, 1 a job failed, 2 setup error. */
int tvmaf_batch_run(const TvmafManifest *m, const TvmafBatchRunOpts *o);

/**
 * Reads the "batch" block of a result (its last 128 KiB), or a whole error
 * file (at most 128 KiB). @return the number of pairs, -2 the file cannot
 * be opened, -1 not a batch file, -ENOMEM.
 */
int tvmaf_batch_read_file(const char *path, int is_error, TvmafFlatKV **kv);

/**
 * 1 when DIR/ID.json is the result of job `j` (same row digest), else 0.
 */
int tvmaf_batch_result_current(const char *dir, const TvmafBatchJob *j);

/**
 * Writes the merged table of `dir` to `out` (NULL = stdout); `m` (or NULL)
 * gives the rows. @return the exit status: 0 all done, 1 some failed or
 * missing, 2 error.
 */
int tvmaf_batch_merge(const char *dir, const char *out, const TvmafManifest *m);

/**
 * A decimal integer in 0..max (no sign, no prefix), else a one-line error
 * naming `opt`. @return 0 or -1.
 */
int tvmaf_batch_parse_u(const char *opt, const char *s, unsigned long max, unsigned long *out);

/**
 * This process's shard (tools/batch/shard.c): from --shard I/N (`shard`,
 * or NULL), else from Slurm's or Kubernetes' environment with --shards
 * (`shards_opt`, 0 when not given). Without either, every job: *shards 0
 * and *source NULL; else *source says where the shard came from.
 * @return 0, or -1 after one line on stderr (a usage error).
 */
int tvmaf_batch_shard_select(const char *shard, unsigned long shards_opt, unsigned *shard_out,
                             unsigned *shards_out, const char **source);

/** tinyvmaf batch MANIFEST --out DIR [...]: the exit status. */
int tvmaf_cmd_batch(int argc, char **argv);

/** tinyvmaf merge DIR [-o FILE.csv|FILE.jsonl] [--manifest M]: the exit status. */
int tvmaf_cmd_merge(int argc, char **argv);

#endif /* TVMAF_TOOLS_BATCH_BATCH_H */
