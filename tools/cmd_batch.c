/*
 * tinyvmaf batch and tinyvmaf merge: argument parsing (the work, shard
 * selection included, is in tools/batch/).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "util/util.h"

static void batch_usage(FILE *const f)
{
    fputs(
"Usage: tinyvmaf batch MANIFEST --out DIR [options]\n"
"\n"
"Scores every job of MANIFEST (CSV with a header row, or JSON Lines) into DIR:\n"
"DIR/ID.json (the JSON of -o --json, plus a \"batch\" block) or DIR/ID.error.json.\n"
"Columns: id, reference, distorted (required); model, tiny_model, scale, frame_cnt,\n"
"frame_skip_ref, frame_skip_dist, subsample, width, height, pixel_format, bitdepth\n"
"(as the scoring flags; relative paths are relative to the manifest).\n"
"Jobs whose result is up to date (same manifest row, same tinyvmaf) are skipped.\n"
"\n"
"  -o, --out DIR        output directory (created if missing)\n"
"      --shard I/N      run only shard I (0-based) of N: shard = FNV-1a-64(id) mod N\n"
"      --shards N       shard count for JOB_COMPLETION_INDEX (Kubernetes Indexed Job),\n"
"                       or to override SLURM_ARRAY_TASK_COUNT\n"
"  -j, --jobs N         jobs in parallel (default 1)\n"
"  -t, --threads N      engine threads per job (default: cores / jobs)\n"
"  -c, --cpumask MASK   as for scoring\n"
"  -q, --quiet          no summary line\n"
"      --help           this help\n"
"\n"
"Without --shard: SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN) of\n"
"SLURM_ARRAY_TASK_COUNT, else JOB_COMPLETION_INDEX of --shards N; the run says which.\n"
"Exit status: 0 every job done, 1 a job failed, 2 usage or manifest error.\n",
          f);
}

enum { OPT_SHARD = 256, OPT_SHARDS, OPT_HELP, OPT_MANIFEST };

int tvmaf_cmd_batch(int argc, char **argv)
{
    static const struct option lo[] = {
        { "out", required_argument, NULL, 'o' },
        { "shard", required_argument, NULL, OPT_SHARD },
        { "shards", required_argument, NULL, OPT_SHARDS },
        { "jobs", required_argument, NULL, 'j' },
        { "threads", required_argument, NULL, 't' },
        { "cpumask", required_argument, NULL, 'c' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    tvmaf_stdout_guard("tinyvmaf");
    TvmafBatchRunOpts ro = { .jobs = 1 };
    const char *shard = NULL;
    unsigned long shards_opt = 0, v;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:j:t:c:q", lo, NULL)) != -1) {
        switch (c) {
        case 'o': ro.out_dir = optarg; break;
        case OPT_SHARD: shard = optarg; break;
        case OPT_SHARDS:
            if (tvmaf_batch_parse_u("--shards", optarg, 1u << 20, &shards_opt) || !shards_opt) {
                if (!shards_opt) fprintf(stderr, "tinyvmaf: --shards must be at least 1\n");
                return 2;
            }
            break;
        case 'j':
            if (tvmaf_batch_parse_u("--jobs", optarg, 1024, &v) || !v) {
                if (!v) fprintf(stderr, "tinyvmaf: --jobs must be at least 1\n");
                return 2;
            }
            ro.jobs = (unsigned)v;
            break;
        case 't':
            if (tvmaf_batch_parse_u("--threads", optarg, 256, &v)) return 2;
            ro.threads = (int)v;
            break;
        case 'c':
            if (tvmaf_batch_parse_u("--cpumask", optarg, 0xffffffffu, &v)) return 2;
            ro.cpu_mask = (unsigned)v;
            break;
        case 'q': ro.quiet = 1; break;
        case OPT_HELP: batch_usage(stdout); return 0;
        case ':':
            fprintf(stderr, "tinyvmaf: batch: option %s needs a value\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "tinyvmaf: batch: unknown option \"%s\" (see --help)\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1 || !ro.out_dir) {
        fprintf(stderr, "tinyvmaf: batch: usage: tinyvmaf batch MANIFEST --out DIR (see --help)\n");
        return 2;
    }
    const char *const manifest = argv[optind];

    const char *source = NULL;
    if (tvmaf_batch_shard_select(shard, shards_opt, &ro.shard, &ro.shards, &source) < 0)
        return 2;

    TvmafManifest m;
    const int r = tvmaf_batch_manifest_load(&m, manifest, stderr);
    if (r) {
        if (r < 0)
            fprintf(stderr, "tinyvmaf: out of memory\n");
        return 2;
    }
    if (source && !ro.quiet)
        fprintf(stderr, "tinyvmaf batch: shard %u/%u (from %s)\n", ro.shard, ro.shards, source);
    const int st = tvmaf_batch_run(&m, &ro);
    tvmaf_batch_manifest_free(&m);
    return st;
}

int tvmaf_cmd_merge(int argc, char **argv)
{
    static const struct option lo[] = {
        { "output", required_argument, NULL, 'o' },
        { "manifest", required_argument, NULL, OPT_MANIFEST },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    tvmaf_stdout_guard("tinyvmaf");
    const char *out = NULL, *manifest = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:", lo, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case OPT_MANIFEST: manifest = optarg; break;
        case OPT_HELP:
            fputs("Usage: tinyvmaf merge DIR [-o TABLE.csv|TABLE.jsonl] [--manifest M]\n"
                  "\n"
                  "One row per job of a tinyvmaf batch output directory: id, status (done,\n"
                  "failed, missing), frames, the pooled mean of each model score, error.\n"
                  "With --manifest: the manifest's jobs in its order, a result counting only\n"
                  "when it was made from the same row; else every id found, in byte order.\n"
                  "Counts of done/failed/missing go to stderr. Output: CSV, or JSON Lines\n"
                  "when the name ends in .jsonl; stdout without -o; written atomically.\n"
                  "Exit status: 0 every job done, 1 some failed or missing, 2 error.\n",
                  stdout);
            return 0;
        case ':':
            fprintf(stderr, "tinyvmaf: merge: option %s needs a value\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "tinyvmaf: merge: unknown option \"%s\" (see --help)\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "tinyvmaf: merge: usage: tinyvmaf merge DIR [-o FILE] [--manifest M]\n");
        return 2;
    }
    TvmafManifest m;
    if (manifest) {
        const int r = tvmaf_batch_manifest_load(&m, manifest, stderr);
        if (r) {
            if (r < 0)
                fprintf(stderr, "tinyvmaf: out of memory\n");
            return 2;
        }
    }
    const int st = tvmaf_batch_merge(argv[optind], out, manifest ? &m : NULL);
    if (manifest)
        tvmaf_batch_manifest_free(&m);
    return st;
}
