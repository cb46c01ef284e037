/*
 * tinyvmaf plot RESULT.json -o FILE.svg: the --plot drawing
 * (tools/output/plot.c) from a result written earlier with --json, by
 * tinyvmaf or libvmaf (the layout is the same).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "output/plot.h"
#include "util/util.h"

#if TVMAF_CLI_HAVE_JANSSON
#include <jansson.h>

/* frameNum above this is refused: the per-frame arrays are dense, so a
 * hostile frameNum must not size an allocation (2^22 frames is over 19
 * hours at 60 fps). */
#define MAX_FRAME_NUM (1u << 22)

typedef struct Series {
    const char *name;   ///< owned by the parsed JSON
    double *v;
} Series;

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

/* Reads frames[] into one dense NAN-filled array per model metric, in the
 * order the metrics first appear (the order the scoring run wrote them).
 * Returns the number of series, or -1 with `err` set. */
static int load_series(const json_t *const frames, Series *const s, unsigned *const n_frames,
                       char *const err, const size_t errlen)
{
    const size_t n_entries = json_array_size(frames);
    json_int_t last = -1;
    for (size_t k = 0; k < n_entries; k++) {
        const json_t *const fr = json_array_get(frames, k);
        const json_t *const num = json_object_get(fr, "frameNum");
        if (!json_is_object(fr) || !json_is_integer(num) ||
            !json_is_object(json_object_get(fr, "metrics"))) {
            snprintf(err, errlen, "frames[%zu] is not {\"frameNum\": N, \"metrics\": {...}}", k);
            return -1;
        }
        const json_int_t i = json_integer_value(num);
        if (i < 0 || i >= MAX_FRAME_NUM) {
            snprintf(err, errlen, "frames[%zu]: frameNum %lld is out of range (0..%u)", k,
                     (long long)i, MAX_FRAME_NUM - 1);
            return -1;
        }
        last = i > last ? i : last;
    }
    *n_frames = (unsigned)(last + 1);
    int n = 0;
    for (size_t k = 0; k < n_entries; k++) {
        const json_t *const fr = json_array_get(frames, k);
        const size_t i = (size_t)json_integer_value(json_object_get(fr, "frameNum"));
        const char *name;
        const json_t *val;
        json_object_foreach(json_object_get(fr, "metrics"), name, val) {
            if (json_is_null(val))
                continue; /* libvmaf's spelling of a value it could not compute */
            if (!json_is_number(val)) {
                char echo[160];
                snprintf(err, errlen, "frame %zu: metric \"%s\" is not a number", i,
                         tvmaf_escape_text(echo, sizeof(echo), name, 64));
                return -1;
            }
            if (!tvmaf_plot_is_model(name))
                continue;
            int m = 0;
            while (m < n && strcmp(s[m].name, name))
                m++;
            if (m == n) {
                if (n == TVMAF_PLOT_MAX_SERIES)
                    continue;
                s[n].name = name;
                s[n].v = malloc(*n_frames * sizeof(double));
                if (!s[n].v) {
                    snprintf(err, errlen, "out of memory");
                    return -1;
                }
                for (unsigned j = 0; j < *n_frames; j++)
                    s[n].v[j] = NAN;
                n++;
            }
            if (!isnan(s[m].v[i])) {
                snprintf(err, errlen, "frame %zu appears twice", i);
                return -1;
            }
            s[m].v[i] = json_number_value(val);
        }
    }
    if (!n)
        snprintf(err, errlen, "no model score in its frames (features only, or "
                 "--no_prediction); nothing to plot");
    return n ? n : -1;
}

static int plot_file(const char *const in, const char *const out)
{
    char err[512], echo[160];
    json_error_t jerr;
    Series s[TVMAF_PLOT_MAX_SERIES] = { { 0 } };
    int ret = 1, n = 0;
    FILE *const f = strcmp(in, "-") ? fopen(in, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "tinyvmaf: %s: cannot open: %s\n", in, strerror(errno));
        return 1;
    }
    struct stat st;
    if (!fstat(fileno(f), &st) && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "tinyvmaf: %s: is a directory, not a JSON result\n", in);
        fclose(f);
        return 1;
    }
    json_t *const root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    if (f != stdin)
        fclose(f);
    if (!root) {
        fprintf(stderr, "tinyvmaf: %s: not a JSON result (line %d, column %d: %s)\n", in,
                jerr.line, jerr.column, tvmaf_escape_text(echo, sizeof(echo), jerr.text, 100));
        return 1;
    }
    const json_t *const frames = json_object_get(root, "frames");
    if (!json_is_array(frames) || !json_array_size(frames)) {
        fprintf(stderr, "tinyvmaf: %s: no frames (expected the JSON of tinyvmaf --json: "
                "\"frames\": [{\"frameNum\": N, \"metrics\": {...}}, ...])\n", in);
        goto end;
    }
    unsigned n_frames;
    n = load_series(frames, s, &n_frames, err, sizeof(err));
    if (n < 0) {
        fprintf(stderr, "tinyvmaf: %s: %s\n", in, err);
        goto end;
    }
    TvmafReportMetric metrics[TVMAF_PLOT_MAX_SERIES];
    for (int m = 0; m < n; m++)
        metrics[m] = (TvmafReportMetric){ .name = s[m].name, .v = s[m].v };
    const json_t *const ver = json_object_get(root, "version");
    const char *slash = strrchr(in, '/');
    const TvmafReport rep = {
        .version = json_is_string(ver) ? json_string_value(ver) : "unknown",
        .fps = NAN,
        .n_frames = n_frames,
        .subsample = 1,
        .metrics = metrics,
        .n_metrics = n,
    };
    if (tvmaf_plot_write_file(out, &rep, slash ? slash + 1 : in, err, sizeof(err)) < 0) {
        fprintf(stderr, "tinyvmaf: %s: %s\n", out, err);
        goto end;
    }
    ret = 0;
end:
    for (int m = 0; m < TVMAF_PLOT_MAX_SERIES; m++)
        free(s[m].v);
    json_decref(root);
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
