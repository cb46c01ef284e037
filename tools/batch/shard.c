/*
 * Which shard of a batch this process runs: --shard I/N, else a Slurm job
 * array's task (SLURM_ARRAY_TASK_ID, less SLURM_ARRAY_TASK_MIN, of
 * SLURM_ARRAY_TASK_COUNT or --shards N), else a Kubernetes Indexed Job's
 * JOB_COMPLETION_INDEX of --shards N.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "util/util.h"

int tvmaf_batch_parse_u(const char *const opt, const char *const s, const unsigned long max,
                        unsigned long *const out)
{
    char echo[80];
    if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10 ||
        strtoul(s, NULL, 10) > max) {
        fprintf(stderr, "tinyvmaf: %s: expected a decimal integer in 0..%lu, got \"%s\"\n", opt,
                max, tvmaf_escape_text(echo, sizeof(echo), s ? s : "", 32));
        return -1;
    }
    *out = strtoul(s, NULL, 10);
    return 0;
}

/* Environment integers: decimal, else the variable is reported as unusable. */
static int env_u(const char *const name, unsigned long *const out)
{
    const char *const v = getenv(name);
    if (!v || !*v)
        return 0;
    if (tvmaf_batch_parse_u(name, v, 0x7fffffff, out) < 0)
        return -1;
    return 1;
}

int tvmaf_batch_shard_select(const char *const shard, const unsigned long shards_opt,
                             unsigned *const shard_out, unsigned *const shards_out,
                             const char **const source)
{
    *source = NULL;
    if (shard) {
        const char *const slash = strchr(shard, '/');
        char a[16], b[16];
        if (!slash || slash - shard >= (long)sizeof(a) || strlen(slash + 1) >= sizeof(b)) {
            fprintf(stderr, "tinyvmaf: --shard: expected I/N, got \"%s\"\n", shard);
            return -1;
        }
        snprintf(a, sizeof(a), "%.*s", (int)(slash - shard), shard);
        snprintf(b, sizeof(b), "%s", slash + 1);
        unsigned long i, n;
        if (tvmaf_batch_parse_u("--shard", a, 1u << 20, &i) ||
            tvmaf_batch_parse_u("--shard", b, 1u << 20, &n))
            return -1;
        if (!n || i >= n) {
            fprintf(stderr, "tinyvmaf: --shard %s: I must be in 0..N-1 and N at least 1\n", shard);
            return -1;
        }
        *shard_out = (unsigned)i;
        *shards_out = (unsigned)n;
        *source = "--shard";
    } else {
        unsigned long id, count, min = 0, idx;
        const int has_id = env_u("SLURM_ARRAY_TASK_ID", &id);
        const int has_count = env_u("SLURM_ARRAY_TASK_COUNT", &count);
        const int has_min = env_u("SLURM_ARRAY_TASK_MIN", &min);
        const int has_idx = env_u("JOB_COMPLETION_INDEX", &idx);
        if (has_id < 0 || has_count < 0 || has_min < 0 || has_idx < 0)
            return -1;
        if (has_id > 0) {
            if (shards_opt)
                count = shards_opt;
            else if (has_count <= 0) {
                fprintf(stderr, "tinyvmaf: batch: SLURM_ARRAY_TASK_ID is set without "
                        "SLURM_ARRAY_TASK_COUNT; give --shards N\n");
                return -1;
            }
            if (!has_min || min > id)
                min = 0;
            if (!count || id - min >= count) {
                fprintf(stderr, "tinyvmaf: batch: SLURM_ARRAY_TASK_ID %lu (min %lu) is not below "
                        "the shard count %lu\n", id, min, count);
                return -1;
            }
            *shard_out = (unsigned)(id - min);
            *shards_out = (unsigned)count;
            *source = shards_opt ? "SLURM_ARRAY_TASK_ID and --shards"
                                : "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT";
        } else if (has_idx > 0) {
            if (!shards_opt) {
                fprintf(stderr, "tinyvmaf: batch: JOB_COMPLETION_INDEX is set; give --shards N "
                        "(the Indexed Job's completions)\n");
                return -1;
            }
            if (idx >= shards_opt) {
                fprintf(stderr, "tinyvmaf: batch: JOB_COMPLETION_INDEX %lu is not below --shards %lu\n",
                        idx, shards_opt);
                return -1;
            }
            *shard_out = (unsigned)idx;
            *shards_out = (unsigned)shards_opt;
            *source = "JOB_COMPLETION_INDEX and --shards";
        } else if (shards_opt) {
            fprintf(stderr, "tinyvmaf: batch: --shards needs SLURM_ARRAY_TASK_ID or "
                    "JOB_COMPLETION_INDEX (or use --shard I/N)\n");
            return -1;
        }
    }
    return 0;
}
