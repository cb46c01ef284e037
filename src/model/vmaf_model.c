/*
 * libvmaf JSON models (read_json_model.c, predict.c in libvmaf): parsing
 * with jansson, prediction in libvmaf's order of operations.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "internal.h"
#include "log.h"
#include "model/builtin.h"
#include "model/svm.h"
#include "tinyvmaf/model.h"
#if TVMAF_HAVE_ONNX
#include "model/tiny/tiny_graph.h"
#endif

#define MAX_FEATURES 32
#define MAX_KNOTS 64

struct TvmafModel {
    char *name;
    unsigned flags;
    TvmafLogger logger;
    char origin[160];                 /* the file or built-in version, for messages */
    int n;                            /* number of features */
    char *feature_name[MAX_FEATURES]; /* as the model file names them */
    /* A model runs on the fixed feature set when every feature is one of
     * enum TvmafFeature and its only options are the gain limits; any
     * model also runs on extractor instances (kind, options, output). */
    int fixed;
    enum TvmafFeature feature[MAX_FEATURES];
    const TvmafExtractorKind *kind[MAX_FEATURES];
    unsigned output[MAX_FEATURES];
    TvmafKindOpts *opts;              /* MAX_FEATURES entries */
    /* chroma_correction_parameter: libvmaf replaces a speed_chroma value of
     * exactly 0 by ccp * (1 - adm3), in the normalised domain. */
    int ccp_enabled;
    double ccp;
    int guided, guiding;              /* feature indices of speed_chroma and adm3 */
    int linear_rescale;
    double slope0, intercept0;        /* output de-normalisation */
    double slope[MAX_FEATURES], intercept[MAX_FEATURES];
    int clip_enabled;
    double clip_min, clip_max;
    int transform_enabled;
    int p_enabled[3];
    double p[3];
    int n_knots;
    double knot_x[MAX_KNOTS], knot_y[MAX_KNOTS];
    int out_lte_in, out_gte_in;
    double adm_egl, vif_egl;          /* feature options */
    TvmafSvm svm;
};

void tvmaf_model_default_config(TvmafModelConfig *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->name = "vmaf";
    cfg->logger.callback = tvmaf_log_default_callback;
}

void tvmaf_model_free(TvmafModel **pm)
{
    if (!pm || !*pm)
        return;
    tvmaf_svm_clear(&(*pm)->svm);
    for (int i = 0; i < (*pm)->n; i++)
        free((*pm)->feature_name[i]);
    free((*pm)->opts);
    free((*pm)->name);
    free(*pm);
    *pm = NULL;
}

const char *tvmaf_model_name(const TvmafModel *m)
{
    return m ? m->name : NULL;
}

#if TVMAF_HAVE_JANSSON
/* The feature names libvmaf models use, and the aliases it prints. */
static const struct {
    const char *name;
    enum TvmafFeature f;
} feature_map[] = {
    { "VMAF_integer_feature_adm2_score", TVMAF_FEATURE_ADM2 },
    { "VMAF_integer_feature_motion2_score", TVMAF_FEATURE_MOTION2 },
    { "VMAF_integer_feature_vif_scale0_score", TVMAF_FEATURE_VIF_SCALE0 },
    { "VMAF_integer_feature_vif_scale1_score", TVMAF_FEATURE_VIF_SCALE1 },
    { "VMAF_integer_feature_vif_scale2_score", TVMAF_FEATURE_VIF_SCALE2 },
    { "VMAF_integer_feature_vif_scale3_score", TVMAF_FEATURE_VIF_SCALE3 },
    { "integer_adm2", TVMAF_FEATURE_ADM2 },
    { "integer_adm_scale0", TVMAF_FEATURE_ADM_SCALE0 },
    { "integer_adm_scale1", TVMAF_FEATURE_ADM_SCALE1 },
    { "integer_adm_scale2", TVMAF_FEATURE_ADM_SCALE2 },
    { "integer_adm_scale3", TVMAF_FEATURE_ADM_SCALE3 },
    { "integer_motion2", TVMAF_FEATURE_MOTION2 },
    { "integer_vif_scale0", TVMAF_FEATURE_VIF_SCALE0 },
    { "integer_vif_scale1", TVMAF_FEATURE_VIF_SCALE1 },
    { "integer_vif_scale2", TVMAF_FEATURE_VIF_SCALE2 },
    { "integer_vif_scale3", TVMAF_FEATURE_VIF_SCALE3 },
};
#endif

/* The fixed set's gain limits from the instance options, when every ADM
 * (VIF) feature agrees; otherwise the model runs on instances. */
static void fixed_gain_limits(TvmafModel *m)
{
    int adm_set = 0, vif_set = 0;
    for (int i = 0; i < m->n && m->fixed; i++) {
        const int adm = !strcmp(m->kind[i]->name, "adm"), vif = !strcmp(m->kind[i]->name, "vif");
        if (!adm && !vif)
            continue;
        const TvmafOption *const o =
            tvmaf_option_find(m->kind[i]->options, adm ? "adm_enhn_gain_limit" : "vif_enhn_gain_limit");
        if (!o) {
            m->fixed = 0;
            break;
        }
        const double g = *(const double *)(m->opts[i].bytes + o->offset);
        double *const dst = adm ? &m->adm_egl : &m->vif_egl;
        int *const set = adm ? &adm_set : &vif_set;
        if (*set && *dst != g)
            m->fixed = 0;
        *dst = g;
        *set = 1;
    }
}

#if TVMAF_HAVE_JANSSON
#include <jansson.h>

typedef struct Ctx {
    const TvmafLogger *log;
    const char *origin;
} Ctx;

#define FAIL(code, ...)                                                              \
    do {                                                                             \
        char msg_[512];                                                              \
        snprintf(msg_, sizeof(msg_), __VA_ARGS__);                                   \
        tvmaf_log(x->log, TVMAF_LOG_ERROR, "%s: %s", x->origin, msg_);               \
        return TVMAF_ERR(code);                                                      \
    } while (0)

static int get_numbers(const Ctx *x, json_t *md, const char *key, double *out, int want)
{
    json_t *a = json_object_get(md, key);
    if (!json_is_array(a))
        FAIL(EBADMSG, "model_dict.%s is missing or not an array", key);
    if ((int)json_array_size(a) != want)
        FAIL(EBADMSG, "model_dict.%s has %zu entries, expected %d (1 + number of features)", key,
             json_array_size(a), want);
    for (int i = 0; i < want; i++) {
        json_t *v = json_array_get(a, (size_t)i);
        if (!json_is_number(v))
            FAIL(EBADMSG, "model_dict.%s[%d] is not a number", key, i);
        out[i] = json_number_value(v);
        if (!isfinite(out[i]))
            FAIL(EBADMSG, "model_dict.%s[%d] is not finite", key, i);
    }
    return 0;
}

static int get_opt_number(const Ctx *x, json_t *o, const char *key, int *enabled, double *v)
{
    json_t *j = json_object_get(o, key);
    *enabled = 0;
    if (!j || json_is_null(j))
        return 0;
    if (!json_is_number(j) || !isfinite(json_number_value(j)))
        FAIL(EBADMSG, "score_transform.%s is not a finite number", key);
    *enabled = 1;
    *v = json_number_value(j);
    return 0;
}

static int get_bool_string(const Ctx *x, json_t *o, const char *key, int *out)
{
    json_t *j = json_object_get(o, key);
    *out = 0;
    if (!j)
        return 0;
    if (json_is_boolean(j)) {
        *out = json_is_true(j);
        return 0;
    }
    if (!json_is_string(j))
        FAIL(EBADMSG, "score_transform.%s is not \"true\"/\"false\"", key);
    *out = !strcmp(json_string_value(j), "true");
    return 0;
}

static int parse_transform(const Ctx *x, TvmafModel *m, json_t *t)
{
    if (!json_is_object(t))
        FAIL(EBADMSG, "model_dict.score_transform is not an object");
    json_t *en = json_object_get(t, "enabled");
    if (en && !json_is_boolean(en))
        FAIL(EBADMSG, "score_transform.enabled is not a boolean");
    m->transform_enabled = en && json_is_true(en);
    static const char *const pk[3] = { "p0", "p1", "p2" };
    for (int i = 0; i < 3; i++) {
        const int e = get_opt_number(x, t, pk[i], &m->p_enabled[i], &m->p[i]);
        if (e)
            return e;
    }
    json_t *k = json_object_get(t, "knots");
    if (k && !json_is_null(k)) {
        if (!json_is_array(k) || json_array_size(k) > MAX_KNOTS)
            FAIL(EBADMSG, "score_transform.knots is not an array of at most %d [x, y] pairs", MAX_KNOTS);
        m->n_knots = (int)json_array_size(k);
        for (int i = 0; i < m->n_knots; i++) {
            json_t *pt = json_array_get(k, (size_t)i);
            if (!json_is_array(pt) || json_array_size(pt) != 2 ||
                !json_is_number(json_array_get(pt, 0)) || !json_is_number(json_array_get(pt, 1)))
                FAIL(EBADMSG, "score_transform.knots[%d] is not an [x, y] pair of numbers", i);
            m->knot_x[i] = json_number_value(json_array_get(pt, 0));
            m->knot_y[i] = json_number_value(json_array_get(pt, 1));
            if (i && !(m->knot_x[i - 1] < m->knot_x[i] && m->knot_y[i - 1] <= m->knot_y[i]))
                FAIL(EBADMSG, "score_transform.knots must increase in x and not decrease in y");
        }
        if (m->n_knots == 1)
            FAIL(EBADMSG, "score_transform.knots needs at least two points");
    }
    int e = get_bool_string(x, t, "out_lte_in", &m->out_lte_in);
    if (!e)
        e = get_bool_string(x, t, "out_gte_in", &m->out_gte_in);
    return e;
}

/* The text of a JSON option value, as libvmaf's dictionary holds it. */
static int opt_text(const Ctx *x, json_t *v, const char *key, char *buf, size_t size)
{
    if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v) && isfinite(json_real_value(v)))
        snprintf(buf, size, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
    else if (json_is_string(v))
        snprintf(buf, size, "%.63s", json_string_value(v));
    else
        FAIL(EBADMSG, "feature option \"%s\" is not a number, boolean or string", key);
    return 0;
}

static int parse_feature_opts(const Ctx *x, TvmafModel *m, json_t *a)
{
    if (!json_is_array(a) || (int)json_array_size(a) != m->n)
        FAIL(EBADMSG, "model_dict.feature_opts_dicts must be an array of %d objects", m->n);
    for (int i = 0; i < m->n; i++) {
        json_t *o = json_array_get(a, (size_t)i);
        if (!json_is_object(o))
            FAIL(EBADMSG, "model_dict.feature_opts_dicts[%d] is not an object", i);
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v) {
            char text[64], err[256];
            const int e = opt_text(x, v, key, text, sizeof(text));
            if (e)
                return e;
            if (!m->kind[i])
                FAIL(ENOTSUP, "feature option \"%s\" (feature %d) is not supported", key, i);
            const int r = tvmaf_kind_opts_set(m->kind[i], &m->opts[i], key, text, err, sizeof(err));
            if (r == -ENOENT)
                FAIL(ENOTSUP, "feature %s: %s", m->feature_name[i], err);
            if (r < 0)
                FAIL(EBADMSG, "feature %s: %s", m->feature_name[i], err);
            if (strcmp(key, "adm_enhn_gain_limit") && strcmp(key, "vif_enhn_gain_limit"))
                m->fixed = 0;
        }
    }
    return 0;
}

static int parse_model(const Ctx *x, TvmafModel *m, json_t *root)
{
    if (!json_is_object(root))
        FAIL(EBADMSG, "top level is not a JSON object");
    json_t *md = json_object_get(root, "model_dict");
    if (!md) {
        if (json_object_get(root, "0"))
            FAIL(ENOTSUP, "bootstrap model collections are not supported");
        FAIL(EBADMSG, "no \"model_dict\" object");
    }
    if (!json_is_object(md))
        FAIL(EBADMSG, "\"model_dict\" is not an object");

    json_t *type = json_object_get(md, "model_type");
    if (!json_is_string(type))
        FAIL(EBADMSG, "model_dict.model_type is missing or not a string");
    if (strcmp(json_string_value(type), "LIBSVMNUSVR"))
        FAIL(ENOTSUP, "model_type \"%.64s\" is not supported (LIBSVMNUSVR only)",
             json_string_value(type));

    json_t *names = json_object_get(md, "feature_names");
    if (!json_is_array(names) || !json_array_size(names))
        FAIL(EBADMSG, "model_dict.feature_names is missing, empty or not an array");
    if (json_array_size(names) > MAX_FEATURES)
        FAIL(EBADMSG, "model_dict.feature_names has %zu entries (at most %d)", json_array_size(names),
             MAX_FEATURES);
    m->opts = calloc(MAX_FEATURES, sizeof(*m->opts));
    if (!m->opts)
        return TVMAF_ERR(ENOMEM);
    m->fixed = 1;
    for (int i = 0; i < (int)json_array_size(names); i++) {
        json_t *s = json_array_get(names, (size_t)i);
        if (!json_is_string(s))
            FAIL(EBADMSG, "model_dict.feature_names[%d] is not a string", i);
        const char *name = json_string_value(s);
        if (!(m->feature_name[i] = strdup(name)))
            return TVMAF_ERR(ENOMEM);
        m->n = i + 1;
        int found = 0;
        for (size_t k = 0; k < sizeof(feature_map) / sizeof(feature_map[0]); k++)
            if (!strcmp(name, feature_map[k].name)) {
                m->feature[i] = feature_map[k].f;
                found = 1;
            }
        if (!found)
            m->fixed = 0;
        if (tvmaf_kind_find_model_name(name, &m->kind[i], &m->output[i])) {
            if (!strncmp(name, "VMAF_feature_", 13))
                FAIL(ENOTSUP, "feature \"%.64s\" comes from libvmaf's float extractors, which tinyvmaf "
                     "does not compute (use an integer model such as vmaf_v0.6.1)", name);
            FAIL(ENOTSUP, "unknown feature \"%.64s\"", name);
        }
        tvmaf_kind_opts_default(m->kind[i], &m->opts[i]);
    }

    json_t *norm = json_object_get(md, "norm_type");
    const char *ns = json_is_string(norm) ? json_string_value(norm) : NULL;
    if (norm && !ns)
        FAIL(EBADMSG, "model_dict.norm_type is not a string");
    if (!ns || !strcmp(ns, "none")) {
        m->linear_rescale = 0;
    } else if (!strcmp(ns, "linear_rescale")) {
        m->linear_rescale = 1;
        double s[MAX_FEATURES + 1], c[MAX_FEATURES + 1];
        int e = get_numbers(x, md, "slopes", s, m->n + 1);
        if (!e)
            e = get_numbers(x, md, "intercepts", c, m->n + 1);
        if (e)
            return e;
        if (s[0] == 0.0)
            FAIL(EBADMSG, "model_dict.slopes[0] is 0 (cannot de-normalise)");
        m->slope0 = s[0];
        m->intercept0 = c[0];
        for (int i = 0; i < m->n; i++) {
            m->slope[i] = s[i + 1];
            m->intercept[i] = c[i + 1];
        }
    } else {
        FAIL(ENOTSUP, "norm_type \"%.32s\" is not supported", ns);
    }

    json_t *clip = json_object_get(md, "score_clip");
    if (clip && !json_is_null(clip)) {
        if (!json_is_array(clip) || json_array_size(clip) != 2 ||
            !json_is_number(json_array_get(clip, 0)) || !json_is_number(json_array_get(clip, 1)))
            FAIL(EBADMSG, "model_dict.score_clip is not a [min, max] pair of numbers");
        m->clip_min = json_number_value(json_array_get(clip, 0));
        m->clip_max = json_number_value(json_array_get(clip, 1));
        if (!(m->clip_min <= m->clip_max))
            FAIL(EBADMSG, "model_dict.score_clip has min > max");
        m->clip_enabled = 1;
    }

    json_t *t = json_object_get(md, "score_transform");
    if (t && !json_is_null(t)) {
        const int e = parse_transform(x, m, t);
        if (e)
            return e;
    }
    if (m->flags & TVMAF_MODEL_FLAG_ENABLE_TRANSFORM)
        m->transform_enabled = 1;
    if (m->flags & TVMAF_MODEL_FLAG_DISABLE_TRANSFORM)
        m->transform_enabled = 0;

    m->adm_egl = m->vif_egl = 100.0;
    json_t *opts = json_object_get(md, "feature_opts_dicts");
    if (opts && !json_is_null(opts)) {
        const int e = parse_feature_opts(x, m, opts);
        if (e)
            return e;
    }
    fixed_gain_limits(m);

    json_t *ccp = json_object_get(md, "chroma_correction_parameter");
    if (ccp && !json_is_null(ccp)) {
        if (!json_is_number(ccp) || !isfinite(json_number_value(ccp)))
            FAIL(EBADMSG, "model_dict.chroma_correction_parameter is not a finite number");
        m->ccp = json_number_value(ccp);
        /* libvmaf skips the prediction altogether for 0. */
        if (m->ccp == 0.0)
            FAIL(ENOTSUP, "chroma_correction_parameter 0 is not supported");
        m->ccp_enabled = 1;
        m->guided = m->guiding = -1;
        for (int i = 0; i < m->n; i++) {
            /* libvmaf finds both by substring of the feature name. */
            int *const slot = strstr(m->feature_name[i], "speed_chroma") ? &m->guided
                              : strstr(m->feature_name[i], "adm3")       ? &m->guiding
                                                                         : NULL;
            if (slot && *slot >= 0)
                FAIL(EBADMSG, "chroma_correction_parameter: more than one %s feature",
                     slot == &m->guided ? "speed_chroma" : "adm3");
            if (slot)
                *slot = i;
        }
        if (m->guided < 0 || m->guiding < 0)
            FAIL(ENOTSUP, "chroma_correction_parameter needs one speed_chroma and one adm3 feature");
        if (!m->linear_rescale)
            FAIL(ENOTSUP, "chroma_correction_parameter needs norm_type linear_rescale");
    }

    json_t *svm = json_object_get(md, "model");
    if (!json_is_string(svm))
        FAIL(EBADMSG, "model_dict.model (libsvm text) is missing or not a string");
    char err[256];
    const int e = tvmaf_svm_parse(&m->svm, json_string_value(svm), json_string_length(svm), m->n,
                                  err, sizeof(err));
    if (e == -ENOMEM)
        return TVMAF_ERR(ENOMEM);
    if (e < 0)
        FAIL(-e, "%s", err);
    return 0;
}

static int load_json(TvmafModel **m_out, json_t *root, const Ctx *x, const TvmafModelConfig *cfg)
{
    TvmafModel *m = calloc(1, sizeof(*m));
    if (!m)
        FAIL(ENOMEM, "out of memory");
    m->flags = cfg->flags;
    m->logger = cfg->logger;
    snprintf(m->origin, sizeof(m->origin), "%s", x->origin);
    m->name = strdup(cfg->name ? cfg->name : "vmaf");
    int err = m->name ? parse_model(x, m, root) : TVMAF_ERR(ENOMEM);
    if (err < 0) {
        tvmaf_model_free(&m);
        if (err == TVMAF_ERR(ENOMEM))
            FAIL(ENOMEM, "out of memory"); /* parse_model() does not log it */
        return err;
    }
    *m_out = m;
    return 0;
}

static TvmafModelConfig config_or_default(const TvmafModelConfig *cfg_in)
{
    TvmafModelConfig cfg;
    if (cfg_in)
        cfg = *cfg_in;
    else
        tvmaf_model_default_config(&cfg);
    return cfg;
}

static int check_config(const TvmafModelConfig *cfg)
{
    for (size_t i = 0; i < sizeof(cfg->reserved); i++)
        if (cfg->reserved[i])
            return TVMAF_ERR(EINVAL);
    return cfg->flags & ~7u ? TVMAF_ERR(EINVAL) : 0;
}

int tvmaf_model_load_buffer(TvmafModel **m_out, const char *json, size_t len, const char *origin,
                            const TvmafModelConfig *cfg_in)
{
    if (!m_out)
        return TVMAF_ERR(EINVAL);
    *m_out = NULL;
    const TvmafModelConfig cfg = config_or_default(cfg_in);
    if (!json || check_config(&cfg))
        return TVMAF_ERR(EINVAL);
    Ctx ctx = { &cfg.logger, origin ? origin : "model" };
    const Ctx *x = &ctx;
    if (len > TVMAF_MODEL_MAX_BYTES)
        FAIL(EBADMSG, "larger than %d bytes", TVMAF_MODEL_MAX_BYTES);
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        FAIL(EBADMSG, "invalid JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
    const int err = load_json(m_out, root, x, &cfg);
    json_decref(root);
    return err;
}

int tvmaf_model_load_path(TvmafModel **m_out, const char *path, const TvmafModelConfig *cfg_in)
{
    if (!m_out || !path)
        return TVMAF_ERR(EINVAL);
    *m_out = NULL;
    const TvmafModelConfig cfg = config_or_default(cfg_in);
    Ctx ctx = { &cfg.logger, path };
    const Ctx *x = &ctx;
    /* O_NONBLOCK: a FIFO named as a model must not hang the open; the
     * regular-file check below refuses it. */
    const int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
    if (!f) {
        const int e = errno;
        if (fd >= 0)
            close(fd);
        FAIL(e == ENOENT ? ENOENT : EIO, "cannot open: %s", strerror(e));
    }
    struct stat st;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
        fclose(f);
        FAIL(EIO, "not a regular file");
    }
    if (st.st_size > TVMAF_MODEL_MAX_BYTES) {
        fclose(f);
        FAIL(EBADMSG, "larger than %d bytes", TVMAF_MODEL_MAX_BYTES);
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        fclose(f);
        FAIL(ENOMEM, "out of memory");
    }
    const size_t n = fread(buf, 1, (size_t)st.st_size, f);
    const int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        FAIL(EIO, "read error");
    }
    const int err = tvmaf_model_load_buffer(m_out, buf, n, path, &cfg);
    free(buf);
    return err;
}

int tvmaf_model_load_version(TvmafModel **m_out, const char *version, const TvmafModelConfig *cfg_in)
{
    if (!m_out || !version)
        return TVMAF_ERR(EINVAL);
    *m_out = NULL;
    const TvmafModelConfig cfg = config_or_default(cfg_in);
    Ctx ctx = { &cfg.logger, version };
    const Ctx *x = &ctx;
    /* A version is a file name, never a path. */
    if (!*version || strchr(version, '/') || !strcmp(version, ".") || !strcmp(version, ".."))
        FAIL(EINVAL, "model version must be a plain name such as vmaf_v0.6.1");
    /* libvmaf's own models are compiled in, as libvmaf does: a version
     * name means exactly those bytes, whatever lies on the search path. */
    const TvmafBuiltinFile *const b = tvmaf_builtin_find(tvmaf_builtin_classic, version);
    if (b) {
#if TVMAF_HAVE_ONNX
        char hex[65];
        tvmaf_tiny_sha256_hex(b->data, b->size, hex);
        if (strcmp(hex, b->sha256))
            FAIL(EACCES, "built-in model %s is damaged (sha256 %s, pinned %s)", version, hex,
                 b->sha256);
#endif
        char origin[160];
        snprintf(origin, sizeof(origin), "built-in %s", version);
        return tvmaf_model_load_buffer(m_out, (const char *)b->data, b->size, origin, &cfg);
    }
    const char *env = getenv("TINYVMAF_MODEL_PATH");
    char dirs[4096];
    snprintf(dirs, sizeof(dirs), "%s%s/usr/local/share/vmaf/model:/usr/share/vmaf/model",
             env && *env ? env : "", env && *env ? ":" : "");
    char *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char path[4096 + 256];
        snprintf(path, sizeof(path), "%s/%s.json", d, version);
        struct stat st;
        if (stat(path, &st) == 0)
            return tvmaf_model_load_path(m_out, path, &cfg);
    }
    FAIL(ENOENT, "no %s.json in $TINYVMAF_MODEL_PATH (%s), /usr/local/share/vmaf/model or "
         "/usr/share/vmaf/model", version, env && *env ? env : "unset");
}

#else /* !TVMAF_HAVE_JANSSON */

int tvmaf_model_load_buffer(TvmafModel **m_out, const char *json, size_t len, const char *origin,
                            const TvmafModelConfig *cfg)
{
    (void)json; (void)len; (void)origin; (void)cfg;
    if (m_out)
        *m_out = NULL;
    return TVMAF_ERR(ENOTSUP);
}

int tvmaf_model_load_path(TvmafModel **m_out, const char *path, const TvmafModelConfig *cfg)
{
    return tvmaf_model_load_buffer(m_out, path, 0, NULL, cfg);
}

int tvmaf_model_load_version(TvmafModel **m_out, const char *version, const TvmafModelConfig *cfg)
{
    return tvmaf_model_load_buffer(m_out, version, 0, NULL, cfg);
}

#endif

int tvmaf_model_apply_settings(const TvmafModel *m, TvmafSettings *s)
{
    if (!m || !s)
        return TVMAF_ERR(EINVAL);
    s->adm_enhn_gain_limit = m->adm_egl;
    s->vif_enhn_gain_limit = m->vif_egl;
    return 0;
}

static double piecewise_linear(const TvmafModel *m, double x)
{
    /* libvmaf's piecewise_linear_mapping: the segment containing x, with
     * the end segments extended; later segments win at shared knots. */
    double y = 0.0;
    const int nseg = m->n_knots - 1;
    for (int i = 0; i < nseg; i++) {
        const double x0 = m->knot_x[i], y0 = m->knot_y[i], x1 = m->knot_x[i + 1], y1 = m->knot_y[i + 1];
        const int in = x0 <= x && x <= x1;
        const int below = i == 0 && x < x0, above = i == nseg - 1 && x > x1;
        if (y0 == y1) {
            if (in || below || above)
                y = y0;
        } else {
            double a, b;
            if (x0 == 0) {
                b = y0;
                a = (y1 - b) / x1;
            } else {
                a = (y1 - y0) / (x1 - x0);
                b = y0 - x0 * a;
            }
            if (in || below || above)
                y = a * x + b;
        }
    }
    return y;
}

/* libvmaf's vmaf_predict_score_at_index() from the model's feature values,
 * in model order. */
static double predict(const TvmafModel *m, const double *x)
{
    double z[MAX_FEATURES];
    for (int i = 0; i < m->n; i++)
        z[i] = m->linear_rescale ? m->slope[i] * x[i] + m->intercept[i] : x[i];
    if (m->ccp_enabled) {
        /* Read back through the de-normalisation, as libvmaf does. */
        const int g = m->guided, a = m->guiding;
        const double guided = (z[g] - m->intercept[g]) / m->slope[g];
        if (guided == 0.0) {
            const double adm3 = (z[a] - m->intercept[a]) / m->slope[a];
            const double corrected = -m->ccp * adm3 + m->ccp;
            z[g] = m->slope[g] * corrected + m->intercept[g];
        }
    }
    double y = tvmaf_svm_predict(&m->svm, z);
    if (m->linear_rescale)
        y = (y - m->intercept0) / m->slope0;
    if (m->transform_enabled) {
        const double in = y;
        double t = in;
        if (m->p_enabled[0] || m->p_enabled[1] || m->p_enabled[2]) {
            t = 0.;
            if (m->p_enabled[0])
                t += m->p[0];
            if (m->p_enabled[1])
                t += m->p[1] * in;
            if (m->p_enabled[2])
                t += m->p[2] * in * in;
        }
        if (m->n_knots > 1)
            t = piecewise_linear(m, t);
        if (m->out_lte_in && t > in)
            t = in;
        if (m->out_gte_in && t < in)
            t = in;
        y = t;
    }
    if (m->clip_enabled && !(m->flags & TVMAF_MODEL_FLAG_DISABLE_CLIP)) {
        if (y < m->clip_min)
            y = m->clip_min;
        if (y > m->clip_max)
            y = m->clip_max;
    }
    return y;
}

int tvmaf_model_predict(const TvmafModel *m, const double features[TVMAF_FEATURE_COUNT],
                        double *score)
{
    if (!m || !features || !score || !m->fixed)
        return TVMAF_ERR(EINVAL);
    double x[MAX_FEATURES];
    for (int i = 0; i < m->n; i++)
        x[i] = features[m->feature[i]];
    *score = predict(m, x);
    return 0;
}

int tvmaf_model_predict_values(const TvmafModel *m, const double *values, unsigned n,
                               double *score)
{
    if (!m || !values || !score || n != (unsigned)m->n)
        return TVMAF_ERR(EINVAL);
    *score = predict(m, values);
    return 0;
}

int tvmaf_model_needs_chroma(const TvmafModel *m)
{
    for (int i = 0; m && i < m->n; i++)
        if (m->kind[i]->flags & TVMAF_KIND_CHROMA)
            return 1;
    return 0;
}

unsigned tvmaf_model_feature_count(const TvmafModel *m)
{
    return m ? (unsigned)m->n : 0;
}

const char *tvmaf_model_feature_name(const TvmafModel *m, unsigned i)
{
    return m && i < (unsigned)m->n ? m->feature_name[i] : NULL;
}

int tvmaf_model_runs_on_fixed_set(const TvmafModel *m)
{
    return m && m->fixed;
}

int tvmaf_model_set_feature_option(TvmafModel *m, const char *extractor, const char *option,
                                   const char *value)
{
    if (!m || !extractor || !option || !value)
        return TVMAF_ERR(EINVAL);
    int used = 0;
    for (int i = 0; i < m->n; i++) {
        if (strcmp(m->kind[i]->name, extractor))
            continue;
        used = 1;
        char err[256];
        TvmafKindOpts o = m->opts[i];
        const int e = tvmaf_kind_opts_set(m->kind[i], &o, option, value, err, sizeof(err));
        if (e < 0) {
            tvmaf_log(&m->logger, TVMAF_LOG_ERROR, "%s: %s", m->origin, err);
            return TVMAF_ERR(-e);
        }
        m->opts[i] = o;
        if (strcmp(option, "adm_enhn_gain_limit") && strcmp(option, "vif_enhn_gain_limit"))
            m->fixed = 0;
    }
    if (!used) {
        tvmaf_log(&m->logger, TVMAF_LOG_ERROR, "%s: the model uses no feature extractor \"%.64s\"",
                  m->origin, extractor);
        return TVMAF_ERR(ENOENT);
    }
    if (m->fixed) {
        m->adm_egl = m->vif_egl = 100.0;
        fixed_gain_limits(m);
    }
    return 0;
}

int tvmaf_model_use_features(const TvmafModel *m, TvmafContext *c)
{
    if (!m || !c)
        return TVMAF_ERR(EINVAL);
    for (int i = 0; i < m->n; i++) {
        const int err = tvmaf_context_use_instance(c, m->kind[i], &m->opts[i], NULL);
        if (err < 0)
            return err;
    }
    return 0;
}

/* Model feature i of frame `index`: from the fixed set when the context's
 * gain limits are the model's, else from the model's instance. */
static int feature_value(const TvmafModel *m, const TvmafContext *c, int i, unsigned index,
                         double *v)
{
    unsigned first;
    if (!tvmaf_context_find_instance(c, m->kind[i], &m->opts[i], &first))
        return tvmaf_output_score_at_index(c, first + m->output[i], index, v);
    if (m->fixed && !c->s.no_fixed_features && c->s.adm_enhn_gain_limit == m->adm_egl &&
        c->s.vif_enhn_gain_limit == m->vif_egl)
        return tvmaf_feature_score_at_index(c, m->feature[i], index, v);
    if (m->fixed && !c->s.no_fixed_features)
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                  "model %s needs gain limits adm %g / vif %g; the context uses %g / %g", m->name,
                  m->adm_egl, m->vif_egl, c->s.adm_enhn_gain_limit, c->s.vif_enhn_gain_limit);
    else
        tvmaf_log(&c->s.logger, TVMAF_LOG_ERROR,
                  "model %s: the context has no extractor instance for %s (see "
                  "tvmaf_model_use_features())", m->name, m->feature_name[i]);
    return TVMAF_ERR(EINVAL);
}

int tvmaf_model_score_at_index(const TvmafModel *m, const TvmafContext *c, unsigned index,
                               double *score)
{
    if (!m || !c || !score)
        return TVMAF_ERR(EINVAL);
    double x[MAX_FEATURES];
    for (int i = 0; i < m->n; i++) {
        const int err = feature_value(m, c, i, index, &x[i]);
        if (err < 0)
            return err;
    }
    *score = predict(m, x);
    return 0;
}

int tvmaf_model_score_pooled(const TvmafModel *m, const TvmafContext *c,
                             enum TvmafPoolMethod method, double *out)
{
    if (!m || !c || !out)
        return TVMAF_ERR(EINVAL);
    const unsigned n = tvmaf_frame_count(c);
    if (!n)
        return TVMAF_ERR(ENOENT);
    double *v = malloc(sizeof(*v) * n);
    if (!v)
        return TVMAF_ERR(ENOMEM);
    int err = 0;
    for (unsigned i = 0; i < n && !err; i++) {
        if (i % c->s.subsample) {
            v[i] = 0.;
            continue;
        }
        err = tvmaf_model_score_at_index(m, c, i, &v[i]);
    }
    if (!err)
        err = tvmaf_pool(v, n, c->s.subsample, method, out);
    free(v);
    return err;
}
