/*
 * tinyvmaf predict / tinyvmaf models: the tiny-model API from the shell.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_cmds.h"
#include "cli_log.h"
#include "output/models.h"
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
    const TvmafLogger log = tvmaf_cli_logger(&sink);
    const int err = tvmaf_predict_run(model, model_dir, features, batch, stdout, &log);
    if (err < 0)
        return tvmaf_cli_fail("predict", 1, "%s", sink.have ? sink.msg : strerror(-err));
    return tvmaf_stdout_flush() < 0 ? 1 : 0;
}
#endif

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
    return tvmaf_models_list(model_dir, stdout) || tvmaf_stdout_flush() < 0 ? 1 : 0;
}
