/*
 * tinyvmaf command line: scoring, plus the subcommands of the model and
 * training toolkits.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#if TVMAF_CLI_HAVE_TINY
#include "cli_cmds.h"
#endif
#if TVMAF_CLI_HAVE_TRAIN
#include "cli_train.h"
#endif
#include "scorers.h"

static void die_input(const char *path, const char *msg)
{
    fprintf(stderr, "tinyvmaf: %s: %s\n", path, msg);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *layout_name(enum TvmafPixelLayout l)
{
    switch (l) {
    case TVMAF_PIX_LAYOUT_400: return "4:0:0";
    case TVMAF_PIX_LAYOUT_420: return "4:2:0";
    case TVMAF_PIX_LAYOUT_422: return "4:2:2";
    default: return "4:4:4";
    }
}

/* Feature order of libvmaf's JSON for the default model, per release. */
static const enum TvmafFeature order_fused[] = {
    TVMAF_FEATURE_ADM2, TVMAF_FEATURE_ADM_SCALE0, TVMAF_FEATURE_ADM_SCALE1,
    TVMAF_FEATURE_ADM_SCALE2, TVMAF_FEATURE_ADM_SCALE3, TVMAF_FEATURE_MOTION,
    TVMAF_FEATURE_VIF_SCALE0, TVMAF_FEATURE_VIF_SCALE1, TVMAF_FEATURE_VIF_SCALE2,
    TVMAF_FEATURE_VIF_SCALE3, TVMAF_FEATURE_MOTION2,
};
static const enum TvmafFeature order_classic[] = {
    TVMAF_FEATURE_ADM2, TVMAF_FEATURE_ADM_SCALE0, TVMAF_FEATURE_ADM_SCALE1,
    TVMAF_FEATURE_ADM_SCALE2, TVMAF_FEATURE_ADM_SCALE3, TVMAF_FEATURE_MOTION2,
    TVMAF_FEATURE_MOTION, TVMAF_FEATURE_VIF_SCALE0, TVMAF_FEATURE_VIF_SCALE1,
    TVMAF_FEATURE_VIF_SCALE2, TVMAF_FEATURE_VIF_SCALE3,
};
#define N_FEATURES ((int)(sizeof(order_fused) / sizeof(order_fused[0])))

static int skip_frames(TvmafInput *in, const char *path, unsigned n)
{
    char err[256];
    for (unsigned i = 0; i < n; i++) {
        const int r = tvmaf_input_skip(in, err, sizeof(err));
        if (r < 0) {
            die_input(path, err);
            return -1;
        }
        if (r == 0) {
            fprintf(stderr, "tinyvmaf: %s: has only %u frames, cannot skip %u\n", path, i, n);
            return -1;
        }
    }
    return 0;
}

static int score(const CliOptions *o)
{
    int ret = 1;
    char err[256];
    TvmafInput *ref_in = NULL, *dis_in = NULL;
    TvmafContext *ctx[TVMAF_MAX_FEATURE_SETS] = { NULL };
    TvmafScorers *scorers = NULL;
    double *values = NULL;
    TvmafReportMetric *metrics = NULL;
    char (*names)[128] = NULL;
    int n_sets = 0;

    /* Models first: a bad model file should fail before any decoding. */
    if (tvmaf_scorers_open(&scorers, o) < 0)
        goto end;

    ref_in = tvmaf_input_open(o->ref_path, &o->raw, err, sizeof(err));
    if (!ref_in) {
        die_input(o->ref_path, err);
        goto end;
    }
    dis_in = tvmaf_input_open(o->dis_path, &o->raw, err, sizeof(err));
    if (!dis_in) {
        die_input(o->dis_path, err);
        goto end;
    }
    const TvmafInputInfo *ri = tvmaf_input_info(ref_in), *di = tvmaf_input_info(dis_in);
    if (ri->w != di->w || ri->h != di->h) {
        fprintf(stderr, "tinyvmaf: %s: size %dx%d differs from the reference's %dx%d (%s)\n",
                o->dis_path, di->w, di->h, ri->w, ri->h, o->ref_path);
        goto end;
    }
    if (ri->layout != di->layout) {
        fprintf(stderr, "tinyvmaf: %s: chroma %s differs from the reference's %s (%s)\n",
                o->dis_path, layout_name(di->layout), layout_name(ri->layout), o->ref_path);
        goto end;
    }
    if (ri->bpc != di->bpc) {
        fprintf(stderr, "tinyvmaf: %s: bit depth %d differs from the reference's %d (%s)\n",
                o->dis_path, di->bpc, ri->bpc, o->ref_path);
        goto end;
    }
    if (ri->w < TVMAF_PICTURE_MIN_DIM || ri->h < TVMAF_PICTURE_MIN_DIM) {
        fprintf(stderr, "tinyvmaf: %s: %dx%d is below the %dx%d minimum size\n", o->ref_path,
                ri->w, ri->h, TVMAF_PICTURE_MIN_DIM, TVMAF_PICTURE_MIN_DIM);
        goto end;
    }

    /* One context per feature set; they share the decoded pictures. */
    n_sets = tvmaf_scorers_n_sets(scorers);
    for (int k = 0; k < n_sets; k++) {
        TvmafSettings s;
        tvmaf_default_settings(&s);
        s.n_threads = o->n_threads;
        s.cpu_mask = o->cpu_mask;
        s.subsample = o->subsample;
        s.motion_compat = o->motion_compat;
        tvmaf_scorers_set_settings(scorers, k, &s);
        if (tvmaf_open(&ctx[k], &s) < 0) {
            fprintf(stderr, "tinyvmaf: cannot create the scoring context\n");
            goto end;
        }
    }

    if (skip_frames(ref_in, o->ref_path, o->skip_ref) || skip_frames(dis_in, o->dis_path, o->skip_dis))
        goto end;

    const double t0 = now_seconds();
    unsigned n = 0;
    for (;;) {
        if (o->frame_cnt && n == o->frame_cnt)
            break;
        TvmafPicture ref = { 0 }, dis = { 0 };
        const int rr = tvmaf_input_read(ref_in, &ref, err, sizeof(err));
        if (rr < 0) {
            die_input(o->ref_path, err);
            goto end;
        }
        const int rd = tvmaf_input_read(dis_in, &dis, err, sizeof(err));
        if (rd < 0) {
            tvmaf_picture_unref(&ref);
            die_input(o->dis_path, err);
            goto end;
        }
        if (!rr || !rd) {
            tvmaf_picture_unref(&ref);
            tvmaf_picture_unref(&dis);
            if (rr != rd && !o->quiet)
                fprintf(stderr, "tinyvmaf: warning: \"%s\" ended before \"%s\"; scored %u frames\n",
                        rr ? o->dis_path : o->ref_path, rr ? o->ref_path : o->dis_path, n);
            break;
        }
        for (int k = 0; k < n_sets; k++) {
            TvmafPicture r2 = ref, d2 = dis;
            int e = 0;
            if (k + 1 < n_sets) {
                /* every context but the last gets new references */
                e = tvmaf_picture_ref(&r2, &ref);
                if (!e && (e = tvmaf_picture_ref(&d2, &dis)) < 0)
                    tvmaf_picture_unref(&r2);
            }
            if (!e)
                e = tvmaf_send_pictures(ctx[k], &r2, &d2);
            if (e < 0) {
                if (k + 1 < n_sets) {
                    tvmaf_picture_unref(&r2);
                    tvmaf_picture_unref(&d2);
                }
                tvmaf_picture_unref(&ref);
                tvmaf_picture_unref(&dis);
                fprintf(stderr, "tinyvmaf: frame %u: scoring failed\n", n);
                goto end;
            }
        }
        n++;
    }
    if (!n) {
        fprintf(stderr, "tinyvmaf: %s: no frames to score\n", o->ref_path);
        goto end;
    }
    for (int k = 0; k < n_sets; k++)
        if (tvmaf_flush(ctx[k]) < 0) {
            fprintf(stderr, "tinyvmaf: feature extraction failed\n");
            goto end;
        }
    const double elapsed = now_seconds() - t0;

    /* Features of every set, each key once (motion does not depend on the
     * options); NAN marks frames skipped by --subsample. */
    const int max_features = N_FEATURES * n_sets;
    values = malloc(sizeof(double) * (size_t)n * max_features);
    names = calloc((size_t)max_features, sizeof(*names));
    const int n_scorer_metrics = tvmaf_scorers_metric_count(scorers);
    metrics = calloc((size_t)(max_features + n_scorer_metrics), sizeof(*metrics));
    if (!values || !names || !metrics)
        goto nomem;
    const enum TvmafFeature *order =
        o->motion_compat == TVMAF_MOTION_CLASSIC ? order_classic : order_fused;
    int nm = 0;
    for (int k = 0; k < n_sets; k++)
        for (int f = 0; f < N_FEATURES; f++) {
            if (tvmaf_feature_key(ctx[k], order[f], names[nm], sizeof(names[nm])) < 0)
                goto nomem;
            int dup = 0;
            for (int q = 0; q < nm; q++)
                dup |= !strcmp(names[q], names[nm]);
            if (dup)
                continue;
            double *col = values + (size_t)nm * n;
            for (unsigned i = 0; i < n; i++)
                if (tvmaf_feature_score_at_index(ctx[k], order[f], i, &col[i]) < 0)
                    col[i] = NAN;
            metrics[nm].name = names[nm];
            metrics[nm].v = col;
            nm++;
        }
    if (tvmaf_scorers_run(scorers, ctx, n, o->subsample, metrics + nm) < 0)
        goto end;

    TvmafReport rep = {
        .version = tvmaf_version(),
        .fps = n / (elapsed > 0 ? elapsed : 1e-9),
        .width = ri->w,
        .height = ri->h,
        .n_frames = n,
        .subsample = o->subsample,
        .metrics = metrics,
        .n_metrics = nm + n_scorer_metrics,
    };
    tvmaf_scorers_blocks(scorers, &rep);

    if (o->out_path) {
        if (tvmaf_output_write_file(o->out_path, o->out_fmt, &rep, err, sizeof(err)) < 0) {
            fprintf(stderr, "tinyvmaf: %s: %s\n", o->out_path, err);
            goto end;
        }
    }
    if (!o->quiet && (!o->out_path || strcmp(o->out_path, "-")))
        tvmaf_scorers_summary(scorers, &rep, o->out_path ? stderr : stdout);
    ret = 0;
    goto end;

nomem:
    fprintf(stderr, "tinyvmaf: out of memory\n");
end:
    free(metrics);
    free(names);
    free(values);
    tvmaf_scorers_close(&scorers);
    for (int k = 0; k < TVMAF_MAX_FEATURE_SETS; k++)
        tvmaf_close(&ctx[k]);
    tvmaf_input_close(&ref_in);
    tvmaf_input_close(&dis_in);
    return ret;
}

typedef struct Subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} Subcommand;

static const Subcommand subcommands[] = {
#if TVMAF_CLI_HAVE_TINY
    { "predict", tvmaf_cmd_predict },
    { "models", tvmaf_cmd_models },
#endif
#if TVMAF_CLI_HAVE_TRAIN
    { "train", tvmaf_cmd_train },
    { "eval", tvmaf_cmd_eval },
    { "export", tvmaf_cmd_export },
#endif
    { NULL, NULL },
};

int main(int argc, char **argv)
{
    if (argc > 1 && argv[1][0] != '-') {
        for (const Subcommand *c = subcommands; c->name; c++)
            if (!strcmp(argv[1], c->name))
                return c->run(argc - 1, argv + 1);
        fprintf(stderr, "tinyvmaf: unknown command \"%s\" (see --help)\n", argv[1]);
        return 2;
    }
    CliOptions o;
    const int r = tvmaf_cli_parse(argc, argv, &o);
    if (r)
        return r > 0 ? 0 : 2;
    return score(&o);
}
