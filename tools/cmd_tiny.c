/*
 * tinyvmaf predict / tinyvmaf models: the tiny-model API from the shell.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_cmds.h"
#include "cli_log.h"
#include "tinyvmaf/tiny.h"
#include "util/util.h"
#if TVMAF_CLI_HAVE_TRAIN
#include "train.h"
#endif

/* Matches "--name value" and "--name=value"; advances *i past the value. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    const size_t n = strlen(name);
    if (strncmp(argv[*i], name, n))
        return 0;
    if (argv[*i][n] == '=') {
        *val = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] || *i + 1 >= argc)
        return 0;
    *val = argv[++*i];
    return 1;
}

#if TVMAF_CLI_HAVE_TRAIN
static void usage_predict(FILE *f)
{
    fprintf(f,
            "usage: tinyvmaf predict --tiny-model ID|PATH --features FILE.csv [options]\n"
            "Prints one score per CSV row (%%.9g).\n"
            "  --tiny-model ID|PATH  registry id, or an .onnx file with its sidecar .json\n"
            "  --features FILE.csv   header names the columns; the model's features are\n"
            "                        taken by name, other columns are ignored (- = stdin)\n"
            "  --batch N             rows per model call (default 0: all rows at once;\n"
            "                        int8 models score a row relative to its batch)\n"
            "  --model-dir DIR       registry directory (default $%s or %s)\n",
            TVMAF_TINY_MODEL_DIR_ENV, tvmaf_tiny_default_model_dir());
}

int tvmaf_cmd_predict(int argc, char **argv)
{
    const char *model = NULL, *features = NULL, *batch_s = NULL, *model_dir = NULL;
    tvmaf_stdout_guard("tinyvmaf predict");
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage_predict(stdout);
            return 0;
        } else if (opt_value(argc, argv, &i, "--tiny-model", &v)) {
            model = v;
        } else if (opt_value(argc, argv, &i, "--features", &v)) {
            features = v;
        } else if (opt_value(argc, argv, &i, "--batch", &v)) {
            batch_s = v;
        } else if (opt_value(argc, argv, &i, "--model-dir", &v)) {
            model_dir = v;
        } else {
            fprintf(stderr, "tinyvmaf predict: unknown or incomplete option '%s'\n", argv[i]);
            usage_predict(stderr);
            return 2;
        }
    }
    if (!model || !features) {
        fprintf(stderr, "tinyvmaf predict: --tiny-model and --features are required\n");
        usage_predict(stderr);
        return 2;
    }
    if (tvmaf_same_file(features, "-")) {
        fprintf(stderr, "tinyvmaf predict: stdout is the features file %s; write the scores "
                "elsewhere\n", features);
        return 2;
    }
    size_t batch = 0;
    if (batch_s) {
        char *e;
        errno = 0;
        const unsigned long long b = strtoull(batch_s, &e, 10);
        if (!*batch_s || *e || errno || batch_s[0] == '-' || b > (1ull << 26)) {
            fprintf(stderr, "tinyvmaf predict: --batch: '%s' is not a row count\n", batch_s);
            return 2;
        }
        batch = (size_t)b;
    }

    /* The library's first error becomes the one error line. */
    TvmafCliLog sink = { .cmd = "predict", .keep = 1 };
    TvmafTinyLoadOptions o;
    tvmaf_tiny_default_load_options(&o);
    o.registry_dir = model_dir;
    o.logger = tvmaf_cli_logger(&sink);
    TvmafTinyModel *m = NULL;
    int err = tvmaf_tiny_model_load(&m, model, &o);
    if (err < 0)
        return tvmaf_cli_fail("predict", 1, "%s", sink.have ? sink.msg : strerror(-err));

    const TvmafLogger log = tvmaf_cli_logger(&sink);
    const TvmafTableSpec spec = { .allow_empty = 1 };
    TvmafTable t;
    float *out = NULL;
    int ret = 0;
    sink.have = 0;
    if (tvmaf_table_load_for_model(&t, features, m, &spec, &log) < 0 ||
        (t.n_rows && !(out = malloc(t.n_rows * sizeof(*out)))) ||
        tvmaf_tiny_predict(m, &t, batch, out, &log) < 0)
        ret = tvmaf_cli_fail("predict", 1, "%s", sink.have ? sink.msg : "out of memory");
    for (size_t i = 0; !ret && i < t.n_rows; i++)
        printf("%.9g\n", out[i]);
    if (!ret && tvmaf_stdout_flush() < 0)
        ret = 1;
    free(out);
    tvmaf_table_free(&t);
    tvmaf_tiny_model_free(&m);
    return ret;
}
#endif

/* Lists one registry's entries: every pinned file verified, then the model
 * loaded through the registry as a scoring run would (which also checks
 * what only the ONNX names, e.g. external data). Counts into *listed / *bad. */
static void list_registry(TvmafTinyRegistry *r, const TvmafTinyLoadOptions *lo, TvmafCliLog *sink,
                          unsigned *listed, unsigned *bad)
{
    const unsigned n = tvmaf_tiny_registry_count(r);
    for (unsigned i = 0; i < n; i++) {
        const TvmafTinyRegistryEntry *const e = tvmaf_tiny_registry_entry(r, i);
        for (int int8 = 0; int8 < 2; int8++) {
            if (int8 && !e->int8_file)
                break;
            sink->have = 0;
            char id[80];
            snprintf(id, sizeof(id), "%s%s", e->id, int8 ? "_int8" : "");
            int err = tvmaf_tiny_registry_verify(r, i, int8);
            if (!err) {
                TvmafTinyModel *m;
                err = tvmaf_tiny_model_load(&m, id, lo);
                tvmaf_tiny_model_free(&m);
            }
            const char *const status = !err                          ? "ok"
                                       : err == TVMAF_ERR(ENOENT)    ? "MISSING"
                                       : err == TVMAF_ERR(EACCES)    ? "MISMATCH"
                                                                     : "ERROR";
            char opset[16] = "-";
            if (e->opset)
                snprintf(opset, sizeof(opset), "%d", e->opset);
            printf("%-24s %-6s %-5s %-8s %-8s %s\n", id, e->kind, opset, status,
                   e->builtin ? "built-in" : "external", int8 ? e->int8_file : e->file);
            if (err) {
                (*bad)++;
                fprintf(stderr, "tinyvmaf models: %s\n",
                        sink->have ? sink->msg : "verification failed");
            }
            (*listed)++;
        }
    }
}

int tvmaf_cmd_models(int argc, char **argv)
{
    tvmaf_stdout_guard("tinyvmaf models");
    const char *model_dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: tinyvmaf models [--model-dir DIR]\n"
                   "Lists the built-in tiny models and an external registry, and checks the\n"
                   "sha256 of every file each entry pins (model, sidecar, external data).\n"
                   "  --model-dir DIR  external registry directory (default $%s, else\n"
                   "                   %s when it exists)\n"
                   "Exit status: 0 when every digest matches, 1 otherwise.\n",
                   TVMAF_TINY_MODEL_DIR_ENV, tvmaf_tiny_default_model_dir());
            return 0;
        } else if (opt_value(argc, argv, &i, "--model-dir", &v)) {
            model_dir = v;
        } else {
            fprintf(stderr, "tinyvmaf models: unknown or incomplete option '%s'\n", argv[i]);
            return 2;
        }
    }
    TvmafCliLog sink = { .cmd = "models", .keep = 1 };
    TvmafTinyLoadOptions o;
    tvmaf_tiny_default_load_options(&o);
    o.logger = tvmaf_cli_logger(&sink);
    TvmafTinyRegistry *r;
    int err = tvmaf_tiny_registry_open_builtin(&r, &o);
    if (err < 0)
        return tvmaf_cli_fail("models", 1, "built-in registry: %s",
                              sink.have ? sink.msg : strerror(-err));
    unsigned bad = 0, listed = 0;
    printf("%-24s %-6s %-5s %-8s %-8s %s\n", "id", "kind", "opset", "sha256", "source", "file");
    TvmafTinyLoadOptions lb = o;
    lb.ignore_env = 1; /* built-in ids resolve in the built-in registry first */
    list_registry(r, &lb, &sink, &listed, &bad);
    const unsigned n_builtin = listed;
    tvmaf_tiny_registry_free(&r);

    /* The external registry: asked for, named by the environment, or the
     * installed one when it exists. */
    const char *const env = getenv(TVMAF_TINY_MODEL_DIR_ENV);
    const char *const dir = model_dir ? model_dir : env && *env ? env : tvmaf_tiny_default_model_dir();
    const int optional = !model_dir && !(env && *env);
    char path[4096];
    struct stat st;
    snprintf(path, sizeof(path), "%s/registry.json", dir);
    if (optional && stat(path, &st)) {
        printf("%u built-in models, %u verified, %u failed; no external registry (%s)\n", listed,
               listed - bad, bad, path);
        return bad || tvmaf_stdout_flush() < 0 ? 1 : 0;
    }
    o.registry_dir = dir;
    sink.have = 0;
    if ((err = tvmaf_tiny_registry_open(&r, &o)) < 0)
        return tvmaf_cli_fail("models", 1, "%s", sink.have ? sink.msg : strerror(-err));
    list_registry(r, &o, &sink, &listed, &bad);
    printf("%u built-in models and %u in %s/registry.json, %u verified, %u failed\n", n_builtin,
           listed - n_builtin, tvmaf_tiny_registry_dir(r), listed - bad, bad);
    tvmaf_tiny_registry_free(&r);
    return bad || tvmaf_stdout_flush() < 0 ? 1 : 0;
}
