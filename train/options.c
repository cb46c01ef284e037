/*
 * The recipe's options as text (the CLI's --arch, --epochs, ...) and seed
 * lists, so every front end parses them the same way.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal_api.h"
#include "train.h"

static int parse_long(const char *const name, const char *const s, const long lo,
                      const long hi, long *const v, char *const err, const size_t errlen)
{
    char *end;
    errno = 0;
    *v = strtol(s, &end, 10);
    if (end == s || *end || errno || *v < lo || *v > hi) {
        snprintf(err, errlen, "--%s: '%s' is not an integer in [%ld, %ld]", name, s, lo, hi);
        return TVMAF_ERR(EINVAL);
    }
    return 0;
}

int tvmaf_seed_list_parse(const char *const s, uint64_t *const seeds, const int max,
                          char *const err, const size_t errlen)
{
    int n = 0;
    const char *p = s;
    for (;;) {
        char *end;
        errno = 0;
        const unsigned long long a = strtoull(p, &end, 10);
        if (end == p || errno || *p == '-')
            break;
        unsigned long long b = a;
        p = end;
        if (*p == '-') {
            errno = 0;
            b = strtoull(p + 1, &end, 10);
            if (end == p + 1 || errno || b < a || p[1] == '-')
                break;
            p = end;
        }
        for (unsigned long long v = a;; v++) {
            if (n == max) {
                snprintf(err, errlen, "--seeds: at most %d seeds", max);
                return TVMAF_ERR(EINVAL);
            }
            seeds[n++] = v;
            if (v == b)
                break;
        }
        if (!*p)
            return n;
        if (*p != ',')
            break;
        p++;
    }
    snprintf(err, errlen, "--seeds: '%s' is not a list like 0-4 or 0,3,7", s);
    return TVMAF_ERR(EINVAL);
}

int tvmaf_recipe_set_option(TvmafRecipe *const r, const char *const name,
                            const char *const value, char *const err, const size_t errlen)
{
    long v;
    int e;
    if (!strcmp(name, "arch")) {
        if (tvmaf_recipe_set_arch(r, value) < 0) {
            snprintf(err, errlen, "--arch: unknown '%s' (mlp_small, mlp_medium, mlp_large)", value);
            return TVMAF_ERR(EINVAL);
        }
    } else if (!strcmp(name, "hidden")) {
        if (tvmaf_recipe_set_hidden(r, value) < 0) {
            snprintf(err, errlen,
                     "--hidden: '%s' is not a list of 1 to %d widths in [1, %d] like 32,16",
                     value, TVMAF_TRAIN_MAX_HIDDEN, TVMAF_TRAIN_MAX_WIDTH);
            return TVMAF_ERR(EINVAL);
        }
    } else if (!strcmp(name, "epochs")) {
        if ((e = parse_long(name, value, 1, TVMAF_TRAIN_MAX_EPOCHS, &v, err, errlen)))
            return e;
        r->epochs = (int)v;
    } else if (!strcmp(name, "batch")) {
        if ((e = parse_long(name, value, 1, TVMAF_TRAIN_MAX_BATCH, &v, err, errlen)))
            return e;
        r->batch = (int)v;
    } else if (!strcmp(name, "cpumask")) {
        if ((e = parse_long(name, value, 0, 0xffffffffL, &v, err, errlen)))
            return e;
        r->cpu_mask = (unsigned)v;
    } else if (!strcmp(name, "lr")) {
        char *end;
        const double lr = strtod(value, &end);
        if (end == value || *end || !(lr > 0.0) || !isfinite(lr)) {
            snprintf(err, errlen, "--lr: '%s' is not a positive number", value);
            return TVMAF_ERR(EINVAL);
        }
        r->lr = lr;
    } else if (!strcmp(name, "seed")) {
        uint64_t s[2];
        if ((e = tvmaf_seed_list_parse(value, s, 2, err, errlen)) < 0 || e != 1) {
            snprintf(err, errlen, "--seed takes one number");
            return TVMAF_ERR(EINVAL);
        }
        r->seed = s[0];
    } else {
        return 0;
    }
    return 1;
}
