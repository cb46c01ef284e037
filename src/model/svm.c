#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/svm.h"

/* A bounded line reader over the model text. */
typedef struct Cursor {
    const char *p, *end;
    int line;
} Cursor;

static int next_line(Cursor *c, char *buf, size_t size)
{
    if (c->p >= c->end)
        return 0;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    const char *stop = nl ? nl : c->end;
    size_t n = (size_t)(stop - c->p);
    if (n && stop[-1] == '\r')
        n--;
    c->line++;
    if (n >= size)
        return -1;
    memcpy(buf, c->p, n);
    buf[n] = 0;
    c->p = nl ? nl + 1 : c->end;
    return 1;
}

/* strtod is what libsvm's istream >> double amounts to for these texts;
 * the C locale is assumed (the library never calls setlocale). */
static int parse_double(const char *s, char **end, double *out)
{
    errno = 0;
    *out = strtod(s, end);
    return *end != s && errno != ERANGE && isfinite(*out) ? 0 : -1;
}

int tvmaf_svm_parse(TvmafSvm *svm, const char *text, size_t len, int n_features, char *err,
                    size_t errlen)
{
    memset(svm, 0, sizeof(*svm));
    svm->n_features = n_features;
    Cursor c = { text, text + len, 0 };
    char line[65536];
    int have_gamma = 0, have_rho = 0, total_sv = -1, r;
    int svr = 0, rbf = 0;

    while ((r = next_line(&c, line, sizeof(line))) > 0) {
        char key[32];
        char *val = line;
        while (*val && *val != ' ')
            val++;
        const size_t klen = (size_t)(val - line);
        if (klen == 0 || klen >= sizeof(key)) {
            snprintf(err, errlen, "libsvm model line %d: expected a header key", c.line);
            return -EBADMSG;
        }
        memcpy(key, line, klen);
        key[klen] = 0;
        while (*val == ' ')
            val++;
        char *end;
        if (!strcmp(key, "SV"))
            break;
        if (!strcmp(key, "svm_type")) {
            svr = !strcmp(val, "nu_svr") || !strcmp(val, "epsilon_svr");
            if (!svr) {
                snprintf(err, errlen, "libsvm svm_type \"%.32s\" is not supported (regression only)", val);
                return -ENOTSUP;
            }
        } else if (!strcmp(key, "kernel_type")) {
            rbf = !strcmp(val, "rbf");
            if (!rbf) {
                snprintf(err, errlen, "libsvm kernel_type \"%.32s\" is not supported (rbf only)", val);
                return -ENOTSUP;
            }
        } else if (!strcmp(key, "gamma")) {
            if (parse_double(val, &end, &svm->gamma) || *end) {
                snprintf(err, errlen, "libsvm gamma \"%.32s\" is not a finite number", val);
                return -EBADMSG;
            }
            have_gamma = 1;
        } else if (!strcmp(key, "rho")) {
            if (parse_double(val, &end, &svm->rho) || *end) {
                snprintf(err, errlen, "libsvm rho \"%.32s\" is not a single finite number", val);
                return -EBADMSG;
            }
            have_rho = 1;
        } else if (!strcmp(key, "total_sv")) {
            long v = strtol(val, &end, 10);
            if (end == val || *end || v < 1 || v > TVMAF_SVM_MAX_SV) {
                snprintf(err, errlen, "libsvm total_sv \"%.32s\" is not in 1..%d", val, TVMAF_SVM_MAX_SV);
                return -EBADMSG;
            }
            total_sv = (int)v;
        }
        /* nr_class, degree, coef0, probA/B, label: not used by an RBF SVR. */
    }
    if (r < 0) {
        snprintf(err, errlen, "libsvm model line %d is too long", c.line);
        return -EBADMSG;
    }
    if (!svr || !rbf || !have_gamma || !have_rho || total_sv < 0) {
        snprintf(err, errlen, "libsvm model header lacks %s",
                 !svr ? "svm_type" : !rbf ? "kernel_type" : !have_gamma ? "gamma" :
                 !have_rho ? "rho" : "total_sv");
        return -EBADMSG;
    }
    if (r == 0) {
        snprintf(err, errlen, "libsvm model has no SV section");
        return -EBADMSG;
    }

    svm->coef = malloc(sizeof(double) * (size_t)total_sv);
    svm->sv = calloc((size_t)total_sv * (size_t)n_features, sizeof(double));
    if (!svm->coef || !svm->sv) {
        tvmaf_svm_clear(svm);
        return -ENOMEM;
    }
    for (int i = 0; i < total_sv; i++) {
        r = next_line(&c, line, sizeof(line));
        if (r <= 0) {
            snprintf(err, errlen, r < 0 ? "libsvm support vector %d: line too long"
                                        : "libsvm model has %d support vectors, total_sv says %d",
                     i, total_sv);
            tvmaf_svm_clear(svm);
            return -EBADMSG;
        }
        char *p = line, *end;
        if (parse_double(p, &end, &svm->coef[i]) || (*end && *end != ' ')) {
            snprintf(err, errlen, "libsvm support vector %d: coefficient is not a finite number", i);
            tvmaf_svm_clear(svm);
            return -EBADMSG;
        }
        p = end;
        int last = 0;
        for (;;) {
            while (*p == ' ' || *p == '\t')
                p++;
            if (!*p)
                break;
            const long idx = strtol(p, &end, 10);
            if (end == p || *end != ':' || idx <= last || idx > n_features) {
                snprintf(err, errlen,
                         "libsvm support vector %d: bad index (want ascending 1..%d index:value pairs)",
                         i, n_features);
                tvmaf_svm_clear(svm);
                return -EBADMSG;
            }
            p = end + 1;
            double v;
            if (parse_double(p, &end, &v) || (*end && *end != ' ' && *end != '\t')) {
                snprintf(err, errlen, "libsvm support vector %d: value of index %ld is not a finite number",
                         i, idx);
                tvmaf_svm_clear(svm);
                return -EBADMSG;
            }
            svm->sv[(size_t)i * n_features + (idx - 1)] = v;
            last = (int)idx;
            p = end;
        }
    }
    svm->n_sv = total_sv;
    return 0;
}

double tvmaf_svm_predict(const TvmafSvm *svm, const double *x)
{
    /* libsvm merges the sparse input and support vector by index and adds
     * (x-sv)^2, or x^2 where the vector lacks the index. Dense storage with
     * zeros gives the same terms: x - 0.0 is exactly x. */
    double sum = 0;
    const int n = svm->n_features;
    for (int i = 0; i < svm->n_sv; i++) {
        const double *sv = svm->sv + (size_t)i * n;
        double d2 = 0;
        for (int k = 0; k < n; k++) {
            const double d = x[k] - sv[k];
            d2 += d * d;
        }
        sum += svm->coef[i] * exp(-svm->gamma * d2);
    }
    return sum - svm->rho;
}

void tvmaf_svm_clear(TvmafSvm *svm)
{
    free(svm->coef);
    free(svm->sv);
    svm->coef = svm->sv = NULL;
    svm->n_sv = 0;
}
