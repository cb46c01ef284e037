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
#include "output/plot.h"
#include "scorers.h"
#include "batch/batch.h"

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

static int check_inputs(const CliOptions *o, const TvmafInputInfo *ri, const TvmafInputInfo *di)
{
    if (ri->w != di->w || ri->h != di->h) {
        fprintf(stderr, "tinyvmaf: %s: size %dx%d differs from the reference's %dx%d (%s); "
                "--scale resizes it\n", o->dis_path, di->w, di->h, ri->w, ri->h, o->ref_path);
        return -1;
    }
    if (ri->layout != di->layout) {
        fprintf(stderr, "tinyvmaf: %s: chroma %s differs from the reference's %s (%s)\n",
                o->dis_path, layout_name(di->layout), layout_name(ri->layout), o->ref_path);
        return -1;
    }
    if (ri->bpc != di->bpc) {
        fprintf(stderr, "tinyvmaf: %s: bit depth %d differs from the reference's %d (%s)\n",
                o->dis_path, di->bpc, ri->bpc, o->ref_path);
        return -1;
    }
    if (ri->w < TVMAF_PICTURE_MIN_DIM || ri->h < TVMAF_PICTURE_MIN_DIM) {
        fprintf(stderr, "tinyvmaf: %s: %dx%d is below the %dx%d minimum size\n", o->ref_path,
                ri->w, ri->h, TVMAF_PICTURE_MIN_DIM, TVMAF_PICTURE_MIN_DIM);
        return -1;
    }
    return 0;
}

static int score(const CliOptions *o)
{
    int ret = 1;
    char err[256];
    TvmafInput *ref_in = NULL, *dis_in = NULL;
    TvmafScorers *scorers = NULL;

    /* Models first: a bad model file should fail before any decoding. */
    TvmafSettings st;
    tvmaf_default_settings(&st);
    st.n_threads = o->n_threads;
    st.cpu_mask = o->cpu_mask;
    st.subsample = o->subsample;
    st.motion_compat = o->motion_compat;
    if (tvmaf_scorers_open(&scorers, o, &st) < 0)
        goto end;
    TvmafScorer *const sc = tvmaf_scorers_scorer(scorers);

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
    if (check_inputs(o, ri, di) < 0)
        goto end;
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
        if (tvmaf_scorer_send_pictures(sc, &ref, &dis) < 0) {
            tvmaf_picture_unref(&ref);
            tvmaf_picture_unref(&dis);
            fprintf(stderr, "tinyvmaf: frame %u: scoring failed\n", n);
            goto end;
        }
        n++;
    }
    if (!n) {
        fprintf(stderr, "tinyvmaf: %s: no frames to score\n", o->ref_path);
        goto end;
    }
    if (tvmaf_scorer_flush(sc) < 0)
        goto end; /* the library logged the cause */
    const double elapsed = now_seconds() - t0;

    TvmafReport rep = {
        .version = tvmaf_version(),
        .fps = n / (elapsed > 0 ? elapsed : 1e-9),
        .width = ri->w,
        .height = ri->h,
        .n_frames = n,
        .subsample = o->subsample,
        .precision = o->precision,
    };
    if (tvmaf_scorers_report(scorers, &rep) < 0)
        goto end;
    if (o->out_path) {
        if (tvmaf_output_write_file(o->out_path, o->out_fmt, &rep, err, sizeof(err)) < 0) {
            fprintf(stderr, "tinyvmaf: %s: %s\n", o->out_path, err);
            goto end;
        }
    }
    if (o->plot_path && tvmaf_plot_write_file(o->plot_path, &rep, NULL, err, sizeof(err)) < 0) {
        fprintf(stderr, "tinyvmaf: %s: %s\n", o->plot_path, err);
        goto end;
    }
    if (!o->quiet && (!o->out_path || strcmp(o->out_path, "-")))
        tvmaf_scorers_summary(scorers, &rep, o->out_path ? stderr : stdout);
    ret = 0;
end:
    tvmaf_scorers_close(&scorers);
    tvmaf_input_close(&ref_in);
    tvmaf_input_close(&dis_in);
    return ret;
}

typedef struct Subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} Subcommand;

static const Subcommand subcommands[] = {
    { "batch", tvmaf_cmd_batch }, { "merge", tvmaf_cmd_merge }, { "plot", tvmaf_cmd_plot },
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
