/*
 * tinyvmaf train / eval / export: the training toolkit from the shell.
 * The work is in train/ (train.h); this file parses options, prints, and
 * turns library errors into one stderr line and an exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cli_log.h"
#include "cli_train.h"
#include "train.h"
#include "util/util.h"

#define EXIT_BAD 1
#define EXIT_USAGE 2
#define MAX_SEEDS 1000

static const char *const canonical6[] = { "adm2", "vif_scale0", "vif_scale1",
                                          "vif_scale2", "vif_scale3", "motion2" };

/* ------------------------------------------------------------ arguments */

typedef struct Common {
    const char *data;
    const char *out;
    char *features_buf;
    const char *features[TVMAF_TRAIN_MAX_FEATURES];
    int n_features;
    const char *target, *group;
    int group_given;
    int drop_nonfinite;
    TvmafRecipe recipe;
    int quiet;
} Common;

static int parse_list(Common *const c, const char *const cmd, const char *const arg)
{
    free(c->features_buf);
    if (!(c->features_buf = strdup(arg)))
        return tvmaf_cli_fail(cmd, EXIT_BAD, "out of memory");
    c->n_features = 0;
    for (char *save = NULL, *tok = strtok_r(c->features_buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (c->n_features == TVMAF_TRAIN_MAX_FEATURES)
            return tvmaf_cli_fail(cmd, EXIT_USAGE, "--features: at most %d names",
                                  TVMAF_TRAIN_MAX_FEATURES);
        c->features[c->n_features++] = tok;
    }
    return c->n_features ? 0 : tvmaf_cli_fail(cmd, EXIT_USAGE, "--features: empty list");
}

static int parse_int(const char *const cmd, const char *const opt, const char *const s,
                     const long lo, const long hi, long *const v)
{
    char *end;
    errno = 0;
    *v = strtol(s, &end, 10);
    if (end == s || *end || errno || *v < lo || *v > hi)
        return tvmaf_cli_fail(cmd, EXIT_USAGE, "%s: '%s' is not an integer in [%ld, %ld]", opt,
                              s, lo, hi);
    return 0;
}

enum {
    OPT_DATA = 256, OPT_ARCH, OPT_HIDDEN, OPT_EPOCHS, OPT_BATCH, OPT_LR, OPT_SEED, OPT_SEEDS,
    OPT_FEATURES, OPT_TARGET, OPT_GROUP, OPT_DROP, OPT_ID, OPT_NOTES, OPT_PRED, OPT_QUIET,
    OPT_LOSO, OPT_KFOLD, OPT_THREADS, OPT_MODEL, OPT_CKPT, OPT_HELP, OPT_SIDECAR,
    OPT_CPUMASK,
};

/* Options every command shares. Returns 1 if handled, 0 if not, or a
 * negative exit status on a bad value. The recipe's own options are
 * parsed by the toolkit (tvmaf_recipe_set_option()). */
static int common_opt(Common *const c, const char *const cmd, const struct option *const opts,
                      const int idx, const int opt, const char *const arg)
{
    int r;
    switch (opt) {
    case OPT_DATA: c->data = arg; return 1;
    case 'o': c->out = arg; return 1;
    case OPT_TARGET: c->target = arg; return 1;
    case OPT_GROUP: c->group = arg; c->group_given = 1; return 1;
    case OPT_DROP: c->drop_nonfinite = 1; return 1;
    case OPT_QUIET: c->quiet = 1; return 1;
    case OPT_FEATURES: return (r = parse_list(c, cmd, arg)) ? -r : 1;
    case OPT_ARCH: case OPT_HIDDEN: case OPT_EPOCHS: case OPT_BATCH: case OPT_LR:
    case OPT_CPUMASK: case OPT_SEED: {
        char err[512];
        if (tvmaf_recipe_set_option(&c->recipe, opts[idx].name, arg, err, sizeof(err)) < 0)
            return -tvmaf_cli_fail(cmd, EXIT_USAGE, "%s", err);
        return 1;
    }
    }
    return 0;
}

#define COMMON_LONG_OPTS                                                                     \
    { "data", required_argument, NULL, OPT_DATA },                                           \
    { "output", required_argument, NULL, 'o' },                                              \
    { "arch", required_argument, NULL, OPT_ARCH },                                           \
    { "hidden", required_argument, NULL, OPT_HIDDEN },                                       \
    { "epochs", required_argument, NULL, OPT_EPOCHS },                                       \
    { "batch", required_argument, NULL, OPT_BATCH },                                         \
    { "lr", required_argument, NULL, OPT_LR },                                               \
    { "seed", required_argument, NULL, OPT_SEED },                                           \
    { "features", required_argument, NULL, OPT_FEATURES },                                   \
    { "target", required_argument, NULL, OPT_TARGET },                                       \
    { "group", required_argument, NULL, OPT_GROUP },                                         \
    { "drop-nonfinite", no_argument, NULL, OPT_DROP },                                       \
    { "quiet", no_argument, NULL, OPT_QUIET },                                               \
    { "cpumask", required_argument, NULL, OPT_CPUMASK },                                     \
    { "help", no_argument, NULL, OPT_HELP }

static void common_init(Common *const c)
{
    memset(c, 0, sizeof(*c));
    tvmaf_recipe_default(&c->recipe);
    for (int i = 0; i < 6; i++)
        c->features[i] = canonical6[i];
    c->n_features = 6;
    c->target = "vmaf";
    c->group = "source";
}

static const char *const recipe_help =
    "  --arch NAME         mlp_small (k-16-8-1), mlp_medium (k-32-16-1, default),\n"
    "                      mlp_large (k-64-32-16-1)\n"
    "  --hidden W1,W2,...  hidden widths instead of --arch (ReLU between layers)\n"
    "  --epochs N          default 90\n"
    "  --batch N           default 256\n"
    "  --lr X              Adam learning rate, default 1e-3\n"
    "  --features A,B,...  feature columns, in model input order\n"
    "                      (default adm2,vif_scale0,vif_scale1,vif_scale2,vif_scale3,motion2)\n"
    "  --target NAME       target column (default vmaf)\n"
    "  --drop-nonfinite    drop rows with NaN/inf in a used column instead of refusing them\n"
    "  --cpumask MASK      disable CPU features (the scoring CLI's bits); results never\n"
    "                      depend on it\n";

/* An output naming an input would destroy what the run reads (the atomic
 * rename replaces it), and two outputs naming one file lose one of them. */
static int check_outputs(const char *const cmd, const char *const *const in, const int n_in,
                         const char *const *const out, const int n_out)
{
    char err[1024];
    return tvmaf_outputs_clash(in, n_in, out, n_out, err, sizeof(err))
               ? tvmaf_cli_fail(cmd, EXIT_USAGE, "%s", err) : 0;
}

/* NAME.onnx -> NAME.json and the id; a bad name is a usage error. */
static int model_names(const char *const out, const char *const id_given, char **const sidecar,
                       char **const id, const TvmafLogger *const log)
{
    const int err = tvmaf_model_names(out, id_given, sidecar, id, log);
    return err == TVMAF_ERR(EINVAL) ? EXIT_USAGE : err < 0 ? EXIT_BAD : 0;
}

/* ------------------------------------------------------------------ train */

static void usage_train(FILE *const f)
{
    fprintf(f,
            "usage: tinyvmaf train --data FILE.csv [-o NAME.onnx] [options]\n"
            "Trains an MLP on a feature table (CSV with a header) and exports it as\n"
            "NAME.onnx plus its sidecar NAME.json. Same data and seed give the same bytes.\n"
            "%s"
            "  --seed N            default 0\n"
            "  --id ID             sidecar id (default NAME)\n"
            "  --notes TEXT        sidecar notes (default: a description of the recipe)\n"
            "  --predictions FILE  write the trained model's predictions for every row\n"
            "  --checkpoint FILE   also save a checkpoint for `tinyvmaf export`\n"
            "  --quiet             no per-epoch progress (shown only on a terminal anyway)\n",
            recipe_help);
}

int tvmaf_cmd_train(const int argc, char **const argv)
{
    static const struct option opts[] = {
        COMMON_LONG_OPTS,
        { "id", required_argument, NULL, OPT_ID },
        { "notes", required_argument, NULL, OPT_NOTES },
        { "predictions", required_argument, NULL, OPT_PRED },
        { "checkpoint", required_argument, NULL, OPT_CKPT },
        { NULL, 0, NULL, 0 },
    };
    const char *const cmd = "train";
    TvmafCliLog cl = { .cmd = cmd };
    const TvmafLogger log = tvmaf_cli_logger(&cl);
    tvmaf_stdout_guard("tinyvmaf train");
    Common c;
    common_init(&c);
    const char *id_given = NULL, *notes = NULL, *pred_path = NULL, *ckpt = NULL;
    char *sidecar = NULL, *id = NULL;
    TvmafTrainResult tr = { 0 };
    int ret = EXIT_BAD, opt, idx = 0;

    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "o:", opts, &idx)) != -1) {
        const int r = common_opt(&c, cmd, opts, idx, opt, optarg);
        if (r < 0) {
            ret = -r;
            goto end;
        }
        if (r)
            continue;
        switch (opt) {
        case OPT_ID: id_given = optarg; break;
        case OPT_NOTES: notes = optarg; break;
        case OPT_PRED: pred_path = optarg; break;
        case OPT_CKPT: ckpt = optarg; break;
        case OPT_HELP: usage_train(stdout); ret = 0; goto end;
        default:
            ret = tvmaf_cli_fail(cmd, EXIT_USAGE, "unknown or incomplete option '%s' (see --help)",
                                 argv[optind - 1]);
            goto end;
        }
    }
    if (optind < argc) {
        ret = tvmaf_cli_fail(cmd, EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
        goto end;
    }
    if (!c.data) {
        ret = tvmaf_cli_fail(cmd, EXIT_USAGE, "--data FILE.csv is required (see --help)");
        goto end;
    }
    if (c.out && (ret = model_names(c.out, id_given, &sidecar, &id, &log)))
        goto end;
    const char *const ins[] = { c.data };
    const char *const outs[] = { c.out, sidecar, pred_path, ckpt };
    if ((ret = check_outputs(cmd, ins, 1, outs, 4)))
        goto end;
    const TvmafTrainJob job = {
        .data = c.data, .features = c.features, .n_features = c.n_features,
        .target = c.target, .drop_nonfinite = c.drop_nonfinite, .recipe = c.recipe,
        .out = c.out, .sidecar = sidecar, .id = id, .notes = notes, .predictions = pred_path,
        .checkpoint = ckpt,
        .progress = !c.quiet && isatty(STDERR_FILENO) ? tvmaf_train_progress_stderr : NULL,
    };
    ret = EXIT_BAD;
    if (tvmaf_train_job_run(&job, &tr, &log) < 0)
        goto end;
    char arch[128];
    tvmaf_mlp_arch_string(arch, sizeof(arch), &tr.m);
    printf("trained %s (%s, %zu params) on %zu rows of %s: %d epochs, seed %llu, %.2f s\n",
           c.recipe.arch, arch, tr.m.n_params, tr.t.n_rows, c.data, c.recipe.epochs,
           (unsigned long long)c.recipe.seed, tr.seconds);
    printf("train PLCC %.4f  SROCC %.4f  RMSE %.4f  (last epoch loss %.5g)\n", tr.train.plcc,
           tr.train.srocc, tr.train.rmse, tr.loss);
    if (c.out)
        printf("wrote %s and %s\n", c.out, sidecar);
    ret = tvmaf_stdout_flush() < 0 ? EXIT_BAD : 0;
end:
    free(sidecar);
    free(id);
    free(c.features_buf);
    tvmaf_train_result_free(&tr);
    return ret;
}

/* ------------------------------------------------------------------- eval */

static void usage_eval(FILE *const f)
{
    fprintf(f,
            "usage: tinyvmaf eval --data FILE.csv [--loso | --kfold K] [--seeds 0-4] [options]\n"
            "       tinyvmaf eval --model ID|PATH --data FILE.csv [-o REPORT.json]\n"
            "Cross-validates the training recipe (folds hold whole groups: scaler and\n"
            "network are fitted on the other folds), or scores an existing tiny model.\n"
            "Without --loso/--kfold, trains and tests on the whole table (train fit).\n"
            "  --loso              one fold per group (leave one group out)\n"
            "  --kfold K           K folds of whole groups (GroupKFold assignment)\n"
            "  --seeds LIST        seeds, e.g. 0-4 or 0,3,7 (default 0; --seed N also works)\n"
            "  --group NAME        group column (default source)\n"
            "  --threads N         trainings run in parallel (default: one per core);\n"
            "                      results never depend on it\n"
            "  -o, --output FILE   JSON report (schema: docs/eval.schema.json)\n"
            "  --predictions FILE  CSV of every row's out-of-fold prediction, one column per\n"
            "                      seed (row, group, target, seed_S...)\n"
            "%s",
            recipe_help);
}

int tvmaf_cmd_eval(const int argc, char **const argv)
{
    static const struct option opts[] = {
        COMMON_LONG_OPTS,
        { "loso", no_argument, NULL, OPT_LOSO },
        { "kfold", required_argument, NULL, OPT_KFOLD },
        { "seeds", required_argument, NULL, OPT_SEEDS },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "model", required_argument, NULL, OPT_MODEL },
        { "predictions", required_argument, NULL, OPT_PRED },
        { NULL, 0, NULL, 0 },
    };
    const char *const cmd = "eval";
    TvmafCliLog cl = { .cmd = cmd };
    const TvmafLogger log = tvmaf_cli_logger(&cl);
    tvmaf_stdout_guard("tinyvmaf eval");
    Common c;
    common_init(&c);
    uint64_t *const seeds = malloc(sizeof(uint64_t) * MAX_SEEDS);
    int n_seeds = 0, seed_given = 0, kfold = 0, loso = 0, n_threads = 0, opt, idx = 0;
    const char *model = NULL, *oof_path = NULL;
    int ret = EXIT_BAD;
    long v;
    if (!seeds)
        return tvmaf_cli_fail(cmd, EXIT_BAD, "out of memory");

    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "o:", opts, &idx)) != -1) {
        if (opt == OPT_SEED)
            seed_given = 1;
        const int r = common_opt(&c, cmd, opts, idx, opt, optarg);
        if (r < 0) {
            ret = -r;
            goto end;
        }
        if (r)
            continue;
        switch (opt) {
        case OPT_LOSO: loso = 1; break;
        case OPT_KFOLD:
            if ((ret = parse_int(cmd, "--kfold", optarg, 2, INT_MAX, &v)))
                goto end;
            kfold = (int)v;
            break;
        case OPT_SEEDS: {
            char err[512];
            if ((n_seeds = tvmaf_seed_list_parse(optarg, seeds, MAX_SEEDS, err, sizeof(err))) < 0) {
                ret = tvmaf_cli_fail(cmd, EXIT_USAGE, "%s", err);
                goto end;
            }
            break;
        }
        case OPT_THREADS:
            if ((ret = parse_int(cmd, "--threads", optarg, 0, 1024, &v)))
                goto end;
            n_threads = (int)v;
            break;
        case OPT_MODEL: model = optarg; break;
        case OPT_PRED: oof_path = optarg; break;
        case OPT_HELP: usage_eval(stdout); ret = 0; goto end;
        default:
            ret = tvmaf_cli_fail(cmd, EXIT_USAGE, "unknown or incomplete option '%s' (see --help)",
                                 argv[optind - 1]);
            goto end;
        }
    }
    ret = EXIT_USAGE;
    if (optind < argc) {
        tvmaf_cli_fail(cmd, ret, "unexpected argument '%s'", argv[optind]);
        goto end;
    }
    if (!c.data) {
        tvmaf_cli_fail(cmd, ret, "--data FILE.csv is required (see --help)");
        goto end;
    }
    if (loso && kfold) {
        tvmaf_cli_fail(cmd, ret, "--loso and --kfold exclude each other");
        goto end;
    }
    if (n_seeds && seed_given) {
        tvmaf_cli_fail(cmd, ret, "--seed and --seeds exclude each other");
        goto end;
    }
    if (c.out || oof_path) {
        /* A model path's sidecar is read too (NAME.onnx -> NAME.json). */
        char *side = NULL, *mid = NULL;
        const TvmafLogger quiet = { 0 };
        if (model)
            tvmaf_model_names(model, NULL, &side, &mid, &quiet);
        const char *const ins[] = { c.data, model, side };
        const char *const outs[] = { c.out, oof_path };
        const int r = check_outputs(cmd, ins, 3, outs, 2);
        free(side);
        free(mid);
        if (r) {
            ret = r;
            goto end;
        }
    }
    if (model && (loso || kfold || n_seeds || seed_given || oof_path)) {
        tvmaf_cli_fail(cmd, ret, "--model scores a fixed model: no --loso, --kfold, seeds "
                       "or --predictions");
        goto end;
    }
    if (!n_seeds) {
        seeds[0] = c.recipe.seed;
        n_seeds = 1;
    }
    const TvmafEvalJob job = {
        .data = c.data, .features = c.features, .n_features = c.n_features, .target = c.target,
        .group = c.group, .group_given = c.group_given, .drop_nonfinite = c.drop_nonfinite,
        .recipe = c.recipe, .model = model, .k = kfold, .seeds = seeds, .n_seeds = n_seeds,
        .mode = loso ? TVMAF_CV_LOSO : kfold ? TVMAF_CV_KFOLD : TVMAF_CV_NONE,
        .n_threads = n_threads, .report = c.out, .predictions = oof_path,
        .progress = !c.quiet && isatty(STDERR_FILENO) ? tvmaf_eval_progress_stderr : NULL,
    };
    ret = tvmaf_eval_job_run(&job, stdout, &log) < 0 || tvmaf_stdout_flush() < 0 ? EXIT_BAD : 0;
end:
    free(c.features_buf);
    free(seeds);
    return ret;
}

/* ----------------------------------------------------------------- export */

static void usage_export(FILE *const f)
{
    fprintf(f, "usage: tinyvmaf export --checkpoint FILE -o NAME.onnx [--id ID] [--notes TEXT]\n"
               "Writes NAME.onnx and NAME.json from a checkpoint saved by\n"
               "`tinyvmaf train --checkpoint FILE`; the ONNX bytes equal train -o's.\n");
}

int tvmaf_cmd_export(const int argc, char **const argv)
{
    const char *const cmd = "export";
    tvmaf_stdout_guard("tinyvmaf export");
    static const struct option opts[] = {
        { "checkpoint", required_argument, NULL, OPT_CKPT },
        { "output", required_argument, NULL, 'o' },
        { "id", required_argument, NULL, OPT_ID },
        { "notes", required_argument, NULL, OPT_NOTES },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    const char *ckpt = NULL, *out = NULL, *id_given = NULL, *notes = NULL;
    int opt;
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (opt) {
        case OPT_CKPT: ckpt = optarg; break;
        case 'o': out = optarg; break;
        case OPT_ID: id_given = optarg; break;
        case OPT_NOTES: notes = optarg; break;
        case OPT_HELP: usage_export(stdout); return 0;
        default:
            return tvmaf_cli_fail(cmd, EXIT_USAGE, "unknown or incomplete option '%s' (see --help)",
                                  argv[optind - 1]);
        }
    }
    if (optind < argc)
        return tvmaf_cli_fail(cmd, EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
    if (!ckpt || !out)
        return tvmaf_cli_fail(cmd, EXIT_USAGE, "--checkpoint FILE and -o NAME.onnx are required");
#if TVMAF_HAVE_JANSSON
    TvmafCliLog cl = { .cmd = cmd };
    const TvmafLogger log = tvmaf_cli_logger(&cl);
    char *sidecar = NULL, *id = NULL;
    int ret = model_names(out, id_given, &sidecar, &id, &log);
    const char *const ins[] = { ckpt };
    const char *const outs[] = { out, sidecar };
    if (!ret && !(ret = check_outputs(cmd, ins, 1, outs, 2))) {
        ret = EXIT_BAD;
        if (tvmaf_export_checkpoint(ckpt, out, sidecar, id, notes, &log) == 0) {
            printf("wrote %s and %s\n", out, sidecar);
            ret = tvmaf_stdout_flush() < 0 ? EXIT_BAD : 0;
        }
    }
    free(sidecar);
    free(id);
    return ret;
#else
    (void)id_given;
    (void)notes;
    return tvmaf_cli_fail(cmd, EXIT_BAD, "export needs jansson (built without it)");
#endif
}
