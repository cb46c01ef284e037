/*
 * Module-level dump for the ADM and motion golden test (test_admmotion.py):
 * runs src/feature/adm and src/feature/motion directly (no context, no
 * model) on a Y4M pair with libvmaf option names, and prints every per-frame
 * output under the key libvmaf prints it with, as "%.17g":
 *
 *   admmotion_dump REF.y4m DIS.y4m [cpumask=N] [adm.OPTION=VALUE | motion.OPTION=VALUE]...
 *
 * cpumask: the TVMAF_CPU_FLAG_* bits to leave unused (libvmaf's --cpumask;
 * -1 runs the C kernels only).
 * Output lines: "F <frame> <key> <value>". Motion runs the frames in order
 * and hands each compute the frame tvmaf_motion_lag() back, then
 * tvmaf_motion_finish() over the series, as the context does at flush.
 * Exit 0, 1 on error, 2 on usage or a refused option.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "feature/adm.h"
#include "feature/motion.h"
#include "feature/option.h"
#include "y4m_reader.h"

static TvmafPlane luma(const TvmafPicture *p)
{
    return (TvmafPlane){ .data = p->data[0], .stride = p->stride[0], .w = p->w[0], .h = p->h[0],
                         .bpc = p->bpc };
}

static int set_option(const char *arg, TvmafAdmOptions *ao, TvmafMotionOptions *mo)
{
    const TvmafOption *table;
    void *opts;
    const char *rest;
    if (!strncmp(arg, "adm.", 4)) {
        table = tvmaf_adm_options;
        opts = ao;
        rest = arg + 4;
    } else if (!strncmp(arg, "motion.", 7)) {
        table = tvmaf_motion_options;
        opts = mo;
        rest = arg + 7;
    } else {
        fprintf(stderr, "%s: expected adm.OPTION=VALUE or motion.OPTION=VALUE\n", arg);
        return -EINVAL;
    }
    char name[64];
    const char *eq = strchr(rest, '=');
    if (!eq || (size_t)(eq - rest) >= sizeof(name)) {
        fprintf(stderr, "%s: expected OPTION=VALUE\n", arg);
        return -EINVAL;
    }
    memcpy(name, rest, (size_t)(eq - rest));
    name[eq - rest] = '\0';
    const TvmafOption *o = tvmaf_option_find(table, name);
    if (!o) {
        fprintf(stderr, "%s: unknown option\n", arg);
        return -EINVAL;
    }
    char err[160];
    if (tvmaf_option_parse(o, opts, eq + 1, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        return -EINVAL;
    }
    return 0;
}

typedef struct Series {
    double *v;
    unsigned n, cap;
} Series;

static int push(Series *s, double v)
{
    if (s->n == s->cap) {
        const unsigned cap = s->cap ? 2 * s->cap : 64;
        double *p = realloc(s->v, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = v;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: admmotion_dump REF.y4m DIS.y4m [adm.OPTION=VALUE | "
                        "motion.OPTION=VALUE]...\n");
        return 2;
    }
    TvmafAdmOptions ao;
    TvmafMotionOptions mo;
    tvmaf_option_defaults(tvmaf_adm_options, &ao);
    tvmaf_option_defaults(tvmaf_motion_options, &mo);
    unsigned cpu_mask = 0;
    for (int i = 3; i < argc; i++) {
        if (!strncmp(argv[i], "cpumask=", 8))
            cpu_mask = (unsigned)strtol(argv[i] + 8, NULL, 10);
        else if (set_option(argv[i], &ao, &mo))
            return 2;
    }
    const unsigned flags = tvmaf_cpu_flags_usable(cpu_mask);

    char adm_keys[TVMAF_ADM_OUT_COUNT][256], motion_keys[TVMAF_MOTION_OUT_COUNT][256];
    for (int k = 0; k < TVMAF_ADM_OUT_COUNT; k++)
        if (tvmaf_option_key(tvmaf_adm_options, &ao, tvmaf_adm_key_names[k], adm_keys[k],
                             sizeof(adm_keys[k])))
            return 1;
    for (int k = 0; k < TVMAF_MOTION_OUT_COUNT; k++)
        if (tvmaf_option_key(tvmaf_motion_options, &mo, tvmaf_motion_key_names[k],
                             motion_keys[k], sizeof(motion_keys[k])))
            return 1;

    Y4m r, d;
    if (y4m_open_pair(&r, &d, argv[1], argv[2]))
        return 1;
    TvmafAdm *adm = NULL;
    TvmafMotion *motion = NULL;
    int err = tvmaf_adm_init(&adm, r.w, r.h, r.bpc, &ao, flags);
    if (err) {
        fprintf(stderr, "adm init refused: %s\n", strerror(-err));
        return 2;
    }
    err = tvmaf_motion_init(&motion, r.w, r.h, r.bpc, &mo, flags);
    if (err) {
        fprintf(stderr, "motion init refused: %s\n", strerror(-err));
        tvmaf_adm_free(&adm);
        return 2;
    }
    const unsigned lag = (unsigned)tvmaf_motion_lag(&mo);
    TvmafPicture back[3]; /* references of frames i-2, i-1, i (by i % 3) */
    memset(back, 0, sizeof(back));
    Series sad = { 0 };
    int rc = 0;
    for (unsigned i = 0;; i++) {
        TvmafPicture pd;
        TvmafPicture *pr = &back[i % 3];
        tvmaf_picture_unref(pr);
        const int a = y4m_read(&r, pr);
        if (a <= 0) {
            rc = a < 0;
            break;
        }
        if (y4m_read(&d, &pd) != 1) {
            rc = 1;
            break;
        }
        const TvmafPlane ref = luma(pr), dis = luma(&pd);
        TvmafAdmScores s;
        double out[TVMAF_ADM_OUT_COUNT], m = 0.;
        err = tvmaf_adm_compute(adm, &ref, &dis, &s);
        tvmaf_picture_unref(&pd);
        if (!err) {
            const TvmafPlane prev = lag && i >= lag ? luma(&back[(i - lag) % 3]) : ref;
            err = tvmaf_motion_compute(motion, lag && i >= lag ? &prev : NULL, &ref, &m);
        }
        if (err || push(&sad, m)) {
            fprintf(stderr, "frame %u: compute failed\n", i);
            rc = 1;
            break;
        }
        tvmaf_adm_scores_array(&s, out);
        for (int k = 0; k < TVMAF_ADM_OUT_COUNT; k++)
            printf("F %u %s %.17g\n", i, adm_keys[k], out[k]);
    }
    if (!rc) {
        double *m2 = calloc(sad.n + 1, sizeof(double)), *m3 = calloc(sad.n + 1, sizeof(double));
        if (!m2 || !m3 || tvmaf_motion_finish(&mo, sad.v, sad.n, m2, m3)) {
            rc = 1;
        } else {
            for (unsigned i = 0; i < sad.n; i++) {
                printf("F %u %s %.17g\n", i, motion_keys[TVMAF_MOTION_OUT_SAD], sad.v[i]);
                printf("F %u %s %.17g\n", i, motion_keys[TVMAF_MOTION_OUT_MOTION2], m2[i]);
                printf("F %u %s %.17g\n", i, motion_keys[TVMAF_MOTION_OUT_MOTION3], m3[i]);
            }
        }
        free(m2);
        free(m3);
    }
    for (int k = 0; k < 3; k++)
        tvmaf_picture_unref(&back[k]);
    free(sad.v);
    tvmaf_motion_free(&motion);
    tvmaf_adm_free(&adm);
    return rc;
}
