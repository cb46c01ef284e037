/*
 * CAMBI alone on a Y4M (or raw) pair, through the module API, for the CAMBI
 * tests and for timing it beside libvmaf's `--feature cambi`:
 *
 *   cambi_dump [--cpumask N] [--repeat N] REF DIS [option=value ...]
 *
 * Options are libvmaf's cambi option names (src/feature/cambi.h). Prints the
 * printed key ("K <key>"), then per frame "F <frame> <cambi>" (with full_ref
 * also <cambi_source> <cambi_full_reference>) with "%.17g", and the
 * processing time of the CAMBI calls on stderr. --repeat scores every frame
 * N times (timing only). Exit 0, 1 on error, 2 on usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu.h"
#include "feature/cambi.h"
#include "input/input.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static TvmafPlane luma(const TvmafPicture *p)
{
    const TvmafPlane pl = { p->data[0], p->stride[0], p->w[0], p->h[0], p->bpc };
    return pl;
}

int main(int argc, char **argv)
{
    unsigned mask = 0;
    int repeat = 1, a = 1;
    for (; a + 1 < argc && !strncmp(argv[a], "--", 2); a += 2) {
        if (!strcmp(argv[a], "--cpumask"))
            mask = (unsigned)strtoul(argv[a + 1], NULL, 10);
        else if (!strcmp(argv[a], "--repeat"))
            repeat = atoi(argv[a + 1]);
        else
            break;
    }
    if (argc - a < 2 || repeat < 1) {
        fprintf(stderr, "usage: cambi_dump [--cpumask N] [--repeat N] REF DIS [option=value ...]\n");
        return 2;
    }
    TvmafCambiOptions o;
    tvmaf_option_defaults(tvmaf_cambi_options, &o);
    for (int i = a + 2; i < argc; i++) {
        char name[64], err[160];
        const char *eq = strchr(argv[i], '=');
        if (!eq || (size_t)(eq - argv[i]) >= sizeof(name)) {
            fprintf(stderr, "cambi_dump: expected option=value, got \"%s\"\n", argv[i]);
            return 2;
        }
        memcpy(name, argv[i], (size_t)(eq - argv[i]));
        name[eq - argv[i]] = 0;
        const TvmafOption *opt = tvmaf_option_find(tvmaf_cambi_options, name);
        if (!opt) {
            fprintf(stderr, "cambi_dump: unknown cambi option \"%s\"\n", name);
            return 1;
        }
        if (tvmaf_option_parse(opt, &o, eq + 1, err, sizeof(err))) {
            fprintf(stderr, "cambi_dump: %s\n", err);
            return 1;
        }
    }
    char key[256], err[256];
    if (tvmaf_option_key(tvmaf_cambi_options, &o, tvmaf_cambi_output_names[0], key, sizeof(key)))
        return 1;

    const TvmafRawParams raw = { 0 };
    TvmafInput *in[2] = { NULL, NULL };
    for (int k = 0; k < 2; k++) {
        in[k] = tvmaf_input_open(argv[a + k], &raw, err, sizeof(err));
        if (!in[k]) {
            fprintf(stderr, "cambi_dump: %s: %s\n", argv[a + k], err);
            return 1;
        }
    }
    const TvmafInputInfo *info = tvmaf_input_info(in[1]);
    TvmafCambi *c = NULL;
    int rc = tvmaf_cambi_init(&c, info->w, info->h, info->bpc, &o,
                              tvmaf_cpu_flags_usable(mask));
    if (rc) {
        fprintf(stderr, "cambi_dump: init refused the options or size (%d)\n", rc);
        return 1;
    }
    printf("K %s\n", key);
    const int outs = tvmaf_cambi_output_count(&o);
    double spent = 0;
    int ret = 0;
    for (unsigned n = 0;; n++) {
        TvmafPicture p[2];
        memset(p, 0, sizeof(p));
        const int r0 = tvmaf_input_read(in[0], &p[0], err, sizeof(err));
        const int r1 = r0 == 1 ? tvmaf_input_read(in[1], &p[1], err, sizeof(err)) : r0;
        if (r0 != 1 || r1 != 1) {
            if (r0 < 0 || r1 < 0) {
                fprintf(stderr, "cambi_dump: %s\n", err);
                ret = 1;
            }
            tvmaf_picture_unref(&p[0]);
            tvmaf_picture_unref(&p[1]);
            break;
        }
        const TvmafPlane ref = luma(&p[0]), dis = luma(&p[1]);
        double s[TVMAF_CAMBI_OUTPUTS];
        const double t0 = now();
        for (int k = 0; k < repeat && !rc; k++)
            rc = tvmaf_cambi_compute(c, &ref, &dis, s);
        spent += now() - t0;
        tvmaf_picture_unref(&p[0]);
        tvmaf_picture_unref(&p[1]);
        if (rc) {
            fprintf(stderr, "cambi_dump: frame %u refused (%d)\n", n, rc);
            ret = 1;
            break;
        }
        printf("F %u", n);
        for (int k = 0; k < outs; k++)
            printf(" %.17g", s[k]);
        printf("\n");
    }
    fprintf(stderr, "cambi_dump: %.3f s in CAMBI\n", spent);
    tvmaf_cambi_free(&c);
    tvmaf_input_close(&in[0]);
    tvmaf_input_close(&in[1]);
    return ret;
}
