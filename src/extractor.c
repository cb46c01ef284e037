#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractor.h"
#include "feature/adm.h"
#include "feature/cambi.h"
#include "feature/motion.h"
#include "feature/speed.h"
#include "feature/vif.h"

static TvmafPlane plane(const TvmafPicture *p, int i)
{
    return (TvmafPlane){ .data = p->data[i], .stride = p->stride[i],
                         .w = p->w[i], .h = p->h[i], .bpc = p->bpc };
}

/* ---- vif ---- */

static const TvmafOption vif_options[] = {
    { .name = "vif_enhn_gain_limit", .alias = "egl", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(TvmafVifOptions, enhn_gain_limit), .def = 100.0, .min = 1.0,
      .max = 100.0, .flags = TVMAF_OPTION_KEY },
    { 0 },
};

static const char *const vif_outputs[] = {
    "integer_vif_scale0", "integer_vif_scale1", "integer_vif_scale2", "integer_vif_scale3",
};
static const char *const vif_model_names[] = {
    "VMAF_integer_feature_vif_scale0_score", "VMAF_integer_feature_vif_scale1_score",
    "VMAF_integer_feature_vif_scale2_score", "VMAF_integer_feature_vif_scale3_score",
};

static size_t vif_scratch(const TvmafKindEnv *e, const void *o)
{
    (void)o;
    return tvmaf_vif_scratch_size(e->w, e->h);
}

static int vif_init(void **st, const TvmafKindEnv *e, const void *o)
{
    return tvmaf_vif_init((TvmafVif **)st, e->w, e->h, e->bpc, o, e->cpu_flags);
}

static int vif_compute(void *st, const void *o, const TvmafFrameInput *in, double *out)
{
    (void)o;
    const TvmafPlane r = plane(in->ref, 0), d = plane(in->dis, 0);
    return tvmaf_vif_compute(st, &r, &d, out);
}

static void vif_free(void **st)
{
    tvmaf_vif_free((TvmafVif **)st);
}

/* ---- adm ---- */

static size_t adm_scratch(const TvmafKindEnv *e, const void *o)
{
    (void)o;
    return tvmaf_adm_scratch_size(e->w, e->h);
}

static int adm_init(void **st, const TvmafKindEnv *e, const void *o)
{
    return tvmaf_adm_init((TvmafAdm **)st, e->w, e->h, e->bpc, o, e->cpu_flags);
}

static int adm_compute(void *st, const void *o, const TvmafFrameInput *in, double *out)
{
    (void)o;
    const TvmafPlane r = plane(in->ref, 0), d = plane(in->dis, 0);
    TvmafAdmScores sc;
    const int err = tvmaf_adm_compute(st, &r, &d, &sc);
    if (!err)
        tvmaf_adm_scores_array(&sc, out);
    return err;
}

static void adm_free(void **st)
{
    tvmaf_adm_free((TvmafAdm **)st);
}

/* ---- motion ---- */

static unsigned motion_history(const void *o)
{
    return (unsigned)tvmaf_motion_lag(o);
}

static const char *motion_base_name(const TvmafKindEnv *e, unsigned o)
{
    return o == TVMAF_MOTION_OUT_SAD && e->motion_classic ? "integer_motion" : NULL;
}

static size_t motion_scratch(const TvmafKindEnv *e, const void *o)
{
    (void)o;
    return tvmaf_motion_scratch_size(e->w);
}

static int motion_init(void **st, const TvmafKindEnv *e, const void *o)
{
    TvmafMotionOptions def;
    tvmaf_option_defaults(tvmaf_motion_options, &def);
    /* The classic pipeline (libvmaf 3.0) had no options. */
    if (e->motion_classic)
        return memcmp(&def, o, sizeof(def)) ? -EINVAL
                                            : tvmaf_motion_init_classic((TvmafMotion **)st, e->w,
                                                                        e->h, e->bpc, e->cpu_flags);
    return tvmaf_motion_init((TvmafMotion **)st, e->w, e->h, e->bpc, o, e->cpu_flags);
}

static int motion_compute(void *st, const void *o, const TvmafFrameInput *in, double *out)
{
    const int lag = tvmaf_motion_lag(o);
    for (unsigned k = 0; k < TVMAF_MOTION_OUT_COUNT; k++)
        out[k] = 0.;
    const TvmafPicture *const prev = lag > 0 ? in->prev_ref[lag - 1] : NULL;
    const TvmafPlane c = plane(in->ref, 0);
    if (!prev)
        return tvmaf_motion_compute(st, NULL, &c, &out[TVMAF_MOTION_OUT_SAD]);
    const TvmafPlane p = plane(prev, 0);
    return tvmaf_motion_compute(st, &p, &c, &out[TVMAF_MOTION_OUT_SAD]);
}

static void motion_finish(const void *o, double *const *cols, unsigned n)
{
    tvmaf_motion_finish(o, cols[TVMAF_MOTION_OUT_SAD], n, cols[TVMAF_MOTION_OUT_MOTION2],
                        cols[TVMAF_MOTION_OUT_MOTION3]);
}

static void motion_free(void **st)
{
    tvmaf_motion_free((TvmafMotion **)st);
}

/* ---- cambi ---- */

static unsigned cambi_output_count(const void *o)
{
    return (unsigned)tvmaf_cambi_output_count(o);
}

static size_t cambi_scratch(const TvmafKindEnv *e, const void *o)
{
    return tvmaf_cambi_scratch_size(e->w, e->h, e->bpc, o);
}

static int cambi_init(void **st, const TvmafKindEnv *e, const void *o)
{
    return tvmaf_cambi_init((TvmafCambi **)st, e->w, e->h, e->bpc, o, e->cpu_flags);
}

static int cambi_compute(void *st, const void *o, const TvmafFrameInput *in, double *out)
{
    double v[TVMAF_CAMBI_OUTPUTS] = { 0 };
    const TvmafPlane r = plane(in->ref, 0), d = plane(in->dis, 0);
    const int err = tvmaf_cambi_compute(st, &r, &d, v);
    for (int k = 0; k < tvmaf_cambi_output_count(o); k++)
        out[k] = v[k];
    return err;
}

static void cambi_free(void **st)
{
    tvmaf_cambi_free((TvmafCambi **)st);
}

static const char *const cambi_model_names[TVMAF_CAMBI_OUTPUTS] = {
    "Cambi_feature_cambi_score", NULL, NULL,
};

/* ---- speed_chroma ---- */

static const char *const speed_model_names[] = {
    "Speed_chroma_feature_speed_chroma_u_score",
    "Speed_chroma_feature_speed_chroma_v_score",
    "Speed_chroma_feature_speed_chroma_uv_score",
};

static size_t speed_scratch(const TvmafKindEnv *e, const void *o)
{
    return tvmaf_speed_chroma_scratch_size(e->w, e->h, e->bpc, e->layout, o);
}

static int speed_init(void **st, const TvmafKindEnv *e, const void *o)
{
    return tvmaf_speed_chroma_init((TvmafSpeedChroma **)st, e->w, e->h, e->bpc, e->layout, o,
                                   e->cpu_flags);
}

static int speed_compute(void *st, const void *o, const TvmafFrameInput *in, double *out)
{
    (void)o;
    const TvmafPlane r[3] = { plane(in->ref, 0), plane(in->ref, 1), plane(in->ref, 2) };
    const TvmafPlane d[3] = { plane(in->dis, 0), plane(in->dis, 1), plane(in->dis, 2) };
    return tvmaf_speed_chroma_compute(st, r, d, out);
}

static void speed_free(void **st)
{
    tvmaf_speed_chroma_free((TvmafSpeedChroma **)st);
}

#define COUNT(a) (unsigned)(sizeof(a) / sizeof((a)[0]))

/* In the order libvmaf prints a v1 model's extractors. */
static const TvmafExtractorKind kinds[] = {
    { .name = "cambi", .options = tvmaf_cambi_options, .options_size = sizeof(TvmafCambiOptions),
      .n_outputs = TVMAF_CAMBI_OUTPUTS, .n_keyed = 1, .output_count = cambi_output_count,
      .outputs = tvmaf_cambi_output_names, .model_names = cambi_model_names,
      .scratch_size = cambi_scratch, .init = cambi_init, .compute = cambi_compute,
      .free = cambi_free },
    { .name = "speed_chroma", .options = tvmaf_speed_chroma_options,
      .options_size = sizeof(TvmafSpeedChromaOptions), .n_outputs = 3,
      .outputs = tvmaf_speed_chroma_names, .model_names = speed_model_names,
      .flags = TVMAF_KIND_CHROMA, .scratch_size = speed_scratch, .init = speed_init,
      .compute = speed_compute, .free = speed_free },
    { .name = "adm", .options = tvmaf_adm_options, .options_size = sizeof(TvmafAdmOptions),
      .n_outputs = TVMAF_ADM_OUT_COUNT, .outputs = tvmaf_adm_key_names,
      .model_names = tvmaf_adm_feature_names, .scratch_size = adm_scratch, .init = adm_init, .compute = adm_compute,
      .free = adm_free },
    { .name = "vif", .options = vif_options, .options_size = sizeof(TvmafVifOptions),
      .n_outputs = COUNT(vif_outputs), .outputs = vif_outputs, .model_names = vif_model_names,
      .scratch_size = vif_scratch, .init = vif_init, .compute = vif_compute, .free = vif_free },
    { .name = "motion", .options = tvmaf_motion_options,
      .options_size = sizeof(TvmafMotionOptions), .n_outputs = TVMAF_MOTION_OUT_COUNT,
      .outputs = tvmaf_motion_key_names, .model_names = tvmaf_motion_feature_names,
      .flags = TVMAF_KIND_EVERY_FRAME, .history = motion_history,
      .base_name = motion_base_name, .scratch_size = motion_scratch, .init = motion_init, .compute = motion_compute,
      .finish = motion_finish, .free = motion_free },
};

const TvmafExtractorKind *tvmaf_kind_find(const char *name)
{
    for (unsigned i = 0; name && i < COUNT(kinds); i++)
        if (!strcmp(kinds[i].name, name))
            return &kinds[i];
    return NULL;
}

int tvmaf_kind_find_model_name(const char *feature, const TvmafExtractorKind **kind,
                               unsigned *output)
{
    for (unsigned i = 0; feature && i < COUNT(kinds); i++)
        for (unsigned o = 0; o < kinds[i].n_outputs; o++)
            if ((kinds[i].model_names[o] && !strcmp(kinds[i].model_names[o], feature)) ||
                !strcmp(kinds[i].outputs[o], feature)) {
                *kind = &kinds[i];
                *output = o;
                return 0;
            }
    return -1;
}

unsigned tvmaf_kind_output_count(const TvmafExtractorKind *k, const TvmafKindOpts *opts)
{
    return k->output_count ? k->output_count(opts->bytes) : k->n_outputs;
}

void tvmaf_kind_opts_default(const TvmafExtractorKind *k, TvmafKindOpts *opts)
{
    memset(opts, 0, sizeof(*opts));
    tvmaf_option_defaults(k->options, opts->bytes);
}

int tvmaf_kind_opts_set(const TvmafExtractorKind *k, TvmafKindOpts *opts, const char *name,
                        const char *value, char *err, size_t err_size)
{
    const TvmafOption *const o = tvmaf_option_find(k->options, name);
    if (!o) {
        if (err && err_size)
            snprintf(err, err_size, "extractor %s has no option \"%.64s\"", k->name, name);
        return -ENOENT;
    }
    const int e = tvmaf_option_parse(o, opts->bytes, value, err, err_size);
    if (e < 0)
        return e;
    return k->check ? k->check(opts->bytes, err, err_size) : 0;
}

int tvmaf_kind_opts_parse(const TvmafExtractorKind *k, TvmafKindOpts *opts, const char *text,
                          char *err, size_t err_size)
{
    tvmaf_kind_opts_default(k, opts);
    if (!text || !*text)
        return k->check ? k->check(opts->bytes, err, err_size) : 0;
    char buf[1024];
    if (strlen(text) >= sizeof(buf)) {
        if (err && err_size)
            snprintf(err, err_size, "extractor %s: option string too long", k->name);
        return -EINVAL;
    }
    strcpy(buf, text);
    char *save = NULL;
    for (char *kv = strtok_r(buf, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        char *const val = strchr(kv, '=');
        if (!val) {
            if (err && err_size)
                snprintf(err, err_size, "extractor %s: \"%.64s\" is not name=value", k->name,
                         kv);
            return -EINVAL;
        }
        *val = 0;
        const int e = tvmaf_kind_opts_set(k, opts, kv, val + 1, err, err_size);
        if (e < 0)
            return e;
    }
    return 0;
}

int tvmaf_kind_key(const TvmafExtractorKind *k, const TvmafKindEnv *env, const TvmafKindOpts *opts,
                   unsigned o, char *buf, size_t size)
{
    if (o >= k->n_outputs)
        return -EINVAL;
    const char *base = k->base_name ? k->base_name(env, o) : NULL;
    if (!base)
        base = k->outputs[o];
    if (k->n_keyed && o >= k->n_keyed) {
        const int n = snprintf(buf, size, "%s", base);
        return n < 0 || (size_t)n >= size ? -EINVAL : 0;
    }
    return tvmaf_option_key(k->options, opts->bytes, base, buf, size);
}
