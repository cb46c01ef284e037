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
#include "tinyvmaf/tiny.h"
#include "util/util.h"

/* The library logs one line per failure; the CLI keeps the first error
 * and prints it as its single error line, and passes warnings through. */
typedef struct ErrSink {
    char msg[1024];
    int have;
} ErrSink;

static void sink_cb(void *cookie, enum TvmafLogLevel level, const char *fmt, va_list ap)
{
    ErrSink *const s = cookie;
    if (level == TVMAF_LOG_ERROR) {
        if (!s->have) {
            vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
            s->have = 1;
        }
    } else if (level == TVMAF_LOG_WARNING) {
        char buf[1024];
        vsnprintf(buf, sizeof(buf), fmt, ap);
        fprintf(stderr, "tinyvmaf: warning: %s\n", buf);
    }
}

static int die(const char *cmd, const char *fmt, ...)
{
    char buf[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    fprintf(stderr, "tinyvmaf %s: %s\n", cmd, buf);
    return 1;
}

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

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = 0;
    return s;
}

/* Feature tables are read whole (util.h, TvmafCsv); 16 GiB bounds it. */
#define MAX_CSV_BYTES ((size_t)1 << 34)

typedef struct Table {
    float *v;       /* rows * k */
    size_t rows, cap;
} Table;

static int read_csv(const char *path, const TvmafTinyModel *m, Table *t)
{
    const unsigned k = tvmaf_tiny_model_n_features(m);
    TvmafCsv c;
    char err[256], echo[160];
    char **fields;
    unsigned *const col = calloc(k ? k : 1, sizeof(*col));
    int ret = 1;
    if (!col)
        return die("predict", "out of memory");
    if (tvmaf_csv_load(&c, path, MAX_CSV_BYTES, err, sizeof(err)) < 0) {
        die("predict", "%s: %s", path, err);
        goto end;
    }
    int n = tvmaf_csv_next(&c, &fields, err, sizeof(err));
    if (n == 0) {
        die("predict", "%s: empty file (no header)", path);
        goto end;
    }
    if (n < 0) {
        die("predict", "%s:%zu: %s", path, c.line, err);
        goto end;
    }
    const int ncols = n;
    for (unsigned j = 0; j < k; j++) {
        const char *const want = tvmaf_tiny_model_feature_name(m, j);
        unsigned found = 0;
        for (int i = 0; i < ncols; i++)
            if (!strcmp(trim(fields[i]), want)) {
                if (found) {
                    die("predict", "%s:%zu: column '%s' appears twice", path, c.line, want);
                    goto end;
                }
                found = 1;
                col[j] = (unsigned)i;
            }
        if (!found) {
            die("predict", "%s:%zu: no column '%s' (model %s needs it)", path, c.line, want,
                tvmaf_tiny_model_id(m));
            goto end;
        }
    }
    while ((n = tvmaf_csv_next(&c, &fields, err, sizeof(err))) != 0) {
        if (n < 0) {
            die("predict", "%s:%zu: %s", path, c.line, err);
            goto end;
        }
        if (n != ncols) {
            die("predict", "%s:%zu: %d fields, the header has %d", path, c.line, n, ncols);
            goto end;
        }
        if (t->rows == t->cap) {
            const size_t nc = t->cap ? t->cap * 2 : 1024;
            if (nc > SIZE_MAX / sizeof(float) / (k ? k : 1)) {
                die("predict", "%s: too many rows", path);
                goto end;
            }
            float *const nv = realloc(t->v, nc * (k ? k : 1) * sizeof(float));
            if (!nv) {
                die("predict", "%s: out of memory at line %zu", path, c.line);
                goto end;
            }
            t->v = nv;
            t->cap = nc;
        }
        for (unsigned j = 0; j < k; j++) {
            const char *const s = trim(fields[col[j]]);
            char *e;
            const float v = strtof(s, &e);
            const char *const name = tvmaf_tiny_model_feature_name(m, j);
            if (!*s || *e) {
                die("predict", "%s:%zu: '%s' is not a number (column '%s')", path, c.line,
                    tvmaf_escape_text(echo, sizeof(echo), s, 40), name);
                goto end;
            }
            if (!isfinite(v)) {
                die("predict", "%s:%zu: feature '%s' is not finite (%s)", path, c.line, name,
                    tvmaf_escape_text(echo, sizeof(echo), s, 40));
                goto end;
            }
            t->v[t->rows * k + j] = v;
        }
        t->rows++;
    }
    ret = 0;
end:
    tvmaf_csv_free(&c);
    free(col);
    return ret;
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

    ErrSink sink = { .have = 0 };
    TvmafTinyLoadOptions o;
    tvmaf_tiny_default_load_options(&o);
    o.registry_dir = model_dir;
    o.logger.callback = sink_cb;
    o.logger.cookie = &sink;
    TvmafTinyModel *m = NULL;
    int err = tvmaf_tiny_model_load(&m, model, &o);
    if (err < 0)
        return die("predict", "%s", sink.have ? sink.msg : strerror(-err));

    Table t = { 0 };
    int ret = read_csv(features, m, &t);
    float *out = NULL;
    if (!ret && t.rows && !(out = malloc(t.rows * sizeof(*out))))
        ret = die("predict", "out of memory");
    const unsigned k = tvmaf_tiny_model_n_features(m);
    if (!batch)
        batch = t.rows;
    for (size_t i = 0; !ret && i < t.rows; i += batch) {
        const size_t n = t.rows - i < batch ? t.rows - i : batch;
        err = tvmaf_tiny_model_run(m, t.v + i * k, n, out + i);
        if (err < 0)
            ret = die("predict", "%s: %s", features, sink.have ? sink.msg : strerror(-err));
    }
    /* All rows are checked before the first is printed: a score that is
     * not finite fails the run instead of passing for one. */
    for (size_t i = 0; !ret && i < t.rows; i++)
        if (!isfinite(out[i]))
            ret = die("predict", "%s: data row %zu: the model's score is not finite (%s)",
                      features, i + 1, isnan(out[i]) ? "nan" : "inf");
    for (size_t i = 0; !ret && i < t.rows; i++)
        printf("%.9g\n", out[i]);
    if (!ret && tvmaf_stdout_flush() < 0)
        ret = 1;
    free(out);
    free(t.v);
    tvmaf_tiny_model_free(&m);
    return ret;
}

/* Lists one registry's entries: every pinned file verified, then the model
 * loaded through the registry as a scoring run would (which also checks
 * what only the ONNX names, e.g. external data). Counts into *listed / *bad. */
static void list_registry(TvmafTinyRegistry *r, const TvmafTinyLoadOptions *lo, ErrSink *sink,
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
    ErrSink sink = { .have = 0 };
    TvmafTinyLoadOptions o;
    tvmaf_tiny_default_load_options(&o);
    o.logger.callback = sink_cb;
    o.logger.cookie = &sink;
    TvmafTinyRegistry *r;
    int err = tvmaf_tiny_registry_open_builtin(&r, &o);
    if (err < 0)
        return die("models", "built-in registry: %s", sink.have ? sink.msg : strerror(-err));
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
        return die("models", "%s", sink.have ? sink.msg : strerror(-err));
    list_registry(r, &o, &sink, &listed, &bad);
    printf("%u built-in models and %u in %s/registry.json, %u verified, %u failed\n", n_builtin,
           listed - n_builtin, tvmaf_tiny_registry_dir(r), listed - bad, bad);
    tvmaf_tiny_registry_free(&r);
    return bad || tvmaf_stdout_flush() < 0 ? 1 : 0;
}
