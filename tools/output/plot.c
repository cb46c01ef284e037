/*
 * --plot FILE.svg and tinyvmaf plot: a self-contained SVG (no script, no external reference)
 * of the per-frame model scores of a report: one polyline per model
 * (classic and tiny), its pooled mean as a dashed line, the worst frames
 * of the first model ringed and labelled, and labelled axes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "output/plot.h"
#include "util/util.h"

#define PLOT_W 960
#define PLOT_H 480
#define LEFT 70
#define RIGHT 180   /* legend column */
#define TOP 40
#define BOTTOM 60
#define MAX_SERIES TVMAF_PLOT_MAX_SERIES
#define N_WORST 5

static const char *const colours[MAX_SERIES] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
};

/* Features are named integer_* and VMAF_*feature*; everything else is a
 * model's score. */
int tvmaf_plot_is_model(const char *name)
{
    /* libvmaf's feature key families (and ours, which use the same keys);
     * anything else in a result is a model's score. */
    static const char *const feature_prefix[] = {
        "integer_", "float_", "cambi", "speed_", "psnr", "ssim", "ms_ssim", "ciede", "VMAF_",
        "Cambi_", "Speed_", "motion", "vif", "adm", NULL,
    };
    for (int i = 0; feature_prefix[i]; i++)
        if (!strncmp(name, feature_prefix[i], strlen(feature_prefix[i])))
            return 0;
    return !strstr(name, "_feature_");
}

static void put_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20)
                fputc(*s, f);
        }
    }
}

static void write_svg(FILE *f, const TvmafReport *r, const char *source, const int *idx, int n)
{
    const double pw = PLOT_W - LEFT - RIGHT, ph = PLOT_H - TOP - BOTTOM;
    double lo = 0, hi = 100;
    for (int s = 0; s < n; s++)
        for (unsigned i = 0; i < r->n_frames; i++) {
            const double v = r->metrics[idx[s]].v[i];
            if (isfinite(v)) {
                lo = v < lo ? floor(v / 10) * 10 : lo;
                hi = v > hi ? ceil(v / 10) * 10 : hi;
            }
        }
    const unsigned last = r->n_frames > 1 ? r->n_frames - 1 : 1;
#define X(i) (LEFT + pw * (double)(i) / last)
#define Y(v) (TOP + ph * (hi - (v)) / (hi - lo))
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
            PLOT_W, PLOT_H, PLOT_W, PLOT_H);
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", PLOT_W, PLOT_H);
    fprintf(f, "<text x=\"%d\" y=\"22\" font-size=\"15\">", LEFT);
    if (source) {
        put_text(f, source);
        fputs(" (version ", f);
        put_text(f, r->version ? r->version : "");
        fprintf(f, "): per-frame scores, %u frames</text>\n", r->n_frames);
    } else {
        fputs("tinyvmaf ", f);
        put_text(f, r->version ? r->version : "");
        fprintf(f, ": per-frame scores, %dx%d, %u frames</text>\n", r->width, r->height,
                r->n_frames);
    }
    /* Grid and ticks. */
    for (double v = lo; v <= hi + 1e-9; v += (hi - lo) / 10) {
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>\n",
                LEFT, Y(v), LEFT + pw, Y(v));
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", LEFT - 6,
                Y(v) + 4, v);
    }
    const unsigned step = r->n_frames > 10 ? (r->n_frames + 9) / 10 : 1;
    for (unsigned i = 0; i < r->n_frames; i += step)
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%u</text>\n", X(i),
                TOP + ph + 18, i);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
            "stroke=\"#000000\"/>\n", LEFT, TOP, pw, ph);
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">frame</text>\n",
            LEFT + pw / 2, PLOT_H - 15);
    fprintf(f, "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">"
            "score</text>\n", TOP + ph / 2);
    for (int s = 0; s < n; s++) {
        const TvmafReportMetric *m = &r->metrics[idx[s]];
        double sum = 0;
        unsigned cnt = 0;
        /* Models often agree to a fraction of a point: the first line is
         * drawn wider so that it shows around the ones drawn over it. */
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" points=\"",
                colours[s], s ? "1.5" : "4");
        for (unsigned i = 0; i < r->n_frames; i++)
            if (isfinite(m->v[i])) {
                fprintf(f, "%.1f,%.1f ", X(i), Y(m->v[i]));
                sum += m->v[i];
                cnt++;
            }
        fputs("\"/>\n", f);
        const double mean = cnt ? sum / cnt : 0;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-dasharray=\"6 4\"/>\n", LEFT, Y(mean), LEFT + pw, Y(mean), colours[s]);
        const double ly = TOP + 16 + 36.0 * s;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"3\"/>\n", LEFT + pw + 12, ly, LEFT + pw + 32, ly, colours[s]);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", LEFT + pw + 38, ly + 4);
        put_text(f, m->name);
        fprintf(f, "</text>\n<text x=\"%.1f\" y=\"%.1f\" fill=\"#555555\">mean %.2f "
                "(dashed)</text>\n", LEFT + pw + 38, ly + 18, mean);
    }
    /* The worst frames of the first model. */
    const double *v = r->metrics[idx[0]].v;
    int worst[N_WORST], nw = 0;
    for (int k = 0; k < N_WORST; k++) {
        int best = -1;
        for (unsigned i = 0; i < r->n_frames; i++) {
            int taken = 0;
            for (int j = 0; j < nw; j++)
                taken |= worst[j] == (int)i;
            if (!taken && isfinite(v[i]) && (best < 0 || v[i] < v[best]))
                best = (int)i;
        }
        if (best < 0)
            break;
        worst[nw++] = best;
    }
    for (int j = 0; j < nw; j++)
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"none\" stroke=\"#d62728\" "
                "stroke-width=\"2\"/>\n<text x=\"%.1f\" y=\"%.1f\" fill=\"#d62728\" "
                "text-anchor=\"middle\">%d</text>\n", X(worst[j]), Y(v[worst[j]]), X(worst[j]),
                Y(v[worst[j]]) + 18, worst[j]);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#d62728\">o worst %d frames (", LEFT + pw + 12,
            TOP + 16 + 36.0 * n + 4, nw);
    put_text(f, r->metrics[idx[0]].name);
    fputs(")</text>\n</svg>\n", f);
#undef X
#undef Y
}

int tvmaf_plot_write_file(const char *path, const TvmafReport *r, const char *source, char *err,
                          size_t errlen)
{
    int idx[MAX_SERIES], n = 0;
    for (int i = 0; i < r->n_metrics && n < MAX_SERIES; i++)
        if (tvmaf_plot_is_model(r->metrics[i].name))
            idx[n++] = i;
    if (!n) {
        snprintf(err, errlen, "no model score to plot (--no_prediction)");
        return -1;
    }
    TvmafAtomicFile af;
    if (tvmaf_atomic_open(&af, path, err, errlen) < 0)
        return -1;
    write_svg(af.f, r, source, idx, n);
    return tvmaf_atomic_commit(&af, err, errlen) < 0 ? -1 : 0;
}
