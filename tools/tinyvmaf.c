/*
 * tinyvmaf command line: scoring, plus the subcommands of the model and
 * training toolkits.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#if TVMAF_CLI_HAVE_TINY
#include "cli_cmds.h"
#endif
#if TVMAF_CLI_HAVE_TRAIN
#include "cli_train.h"
#endif
#include "output/plot.h"
#include "score_pair.h"
#include "batch/batch.h"

static int score(const CliOptions *o)
{
    TvmafScorers *scorers = NULL;
    TvmafReport rep;
    char err[256];
    int ret = 1;
    if (tvmaf_score_pair(o, &scorers, &rep) < 0)
        goto end;
    if (o->out_path &&
        tvmaf_output_write_file(o->out_path, o->out_fmt, &rep, err, sizeof(err)) < 0) {
        fprintf(stderr, "tinyvmaf: %s: %s\n", o->out_path, err);
        goto end;
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
    return ret;
}

typedef struct Subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
} Subcommand;

static const Subcommand subcommands[] = {
    { "batch", tvmaf_cmd_batch }, { "merge", tvmaf_cmd_merge }, { "plot", tvmaf_cmd_plot },
#if TVMAF_CLI_HAVE_TINY
    { "models", tvmaf_cmd_models },
#endif
#if TVMAF_CLI_HAVE_TINY && TVMAF_CLI_HAVE_TRAIN
    { "predict", tvmaf_cmd_predict }, /* reads its CSV with the toolkit's table reader */
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
