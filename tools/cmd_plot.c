/*
 * tinyvmaf plot RESULT.json -o FILE.svg: the --plot drawing
 * (tools/output/plot.c) from a result written earlier with --json, by
 * tinyvmaf or libvmaf (the layout is the same).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "output/plot.h"
#include "util/util.h"

#if TVMAF_CLI_HAVE_JANSSON
#include "output/result_read.h"

static void usage(FILE *const f)
{
    fputs(
"Usage: tinyvmaf plot RESULT.json -o FILE.svg   (RESULT.json '-' = stdin)\n"
"\n"
"Draws the SVG of --plot from a result written with --json (by tinyvmaf or\n"
"libvmaf): per-frame model scores, one line per model (at most 8), each\n"
"model's mean dashed, the 5 worst frames of the first model ringed.\n"
"Features are not drawn. The frame axis ends at the last frame in the file.\n"
"\n"
"  -o, --output FILE.svg  where to write the SVG (atomically; '-' = stdout)\n"
"      --help             this help\n"
"\n"
"Exit status: 0 on success, 1 on an error (one line on stderr), 2 on a usage error.\n",
          f);
}

static int plot_file(const char *const in, const char *const out)
{
    char err[512];
    const char *const slash = strrchr(in, '/');
    TvmafResultFile r;
    int ret = 1;
    if (tvmaf_result_read(&r, in, tvmaf_plot_is_model, err, sizeof(err)) < 0)
        fprintf(stderr, "tinyvmaf: %s: %s\n", in, err);
    else if (!r.rep.n_metrics)
        fprintf(stderr, "tinyvmaf: %s: no model score in its frames (features only, or "
                "--no_prediction); nothing to plot\n", in);
    else if (tvmaf_plot_write_file(out, &r.rep, slash ? slash + 1 : in, err, sizeof(err)) < 0)
        fprintf(stderr, "tinyvmaf: %s: %s\n", out, err);
    else
        ret = 0;
    tvmaf_result_free(&r);
    return ret;
}

int tvmaf_cmd_plot(int argc, char **argv)
{
    static const struct option lo[] = {
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'H' },
        { NULL, 0, NULL, 0 },
    };
    const char *out = NULL;
    int c;
    tvmaf_stdout_guard("tinyvmaf");
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:", lo, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'H': usage(stdout); return 0;
        case ':':
            fprintf(stderr, "tinyvmaf: plot: option %s needs a value\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "tinyvmaf: plot: unknown option \"%s\" (see --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1 || !out) {
        fprintf(stderr, "tinyvmaf: plot: usage: tinyvmaf plot RESULT.json -o FILE.svg "
                "(see --help)\n");
        return 2;
    }
    const char *const in = argv[optind];
    if (tvmaf_same_file(in, out)) {
        fprintf(stderr, "tinyvmaf: plot: -o %s names the input; write the plot elsewhere\n", out);
        return 2;
    }
    return plot_file(in, out);
}

#else /* !TVMAF_CLI_HAVE_JANSSON */

int tvmaf_cmd_plot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tinyvmaf: plot: this build has no JSON reader (built without jansson)\n");
    return 1;
}

#endif
