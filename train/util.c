#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal_api.h"
#include "train.h"

int tvmaf_write_file_atomic(const char *const path, const void *const data, const size_t len,
                            const TvmafLogger *const log)
{
    char err[256];
    const int ret = tvmaf_atomic_write(path, data, len, err, sizeof(err));
    if (ret < 0) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: %s", path, err);
        return ret == -ENOMEM ? TVMAF_ERR(ENOMEM) : TVMAF_ERR(EIO);
    }
    return 0;
}

void tvmaf_json_double(char *const out, const size_t size, const double v)
{
    if (!isfinite(v)) {
        snprintf(out, size, "null");
        return;
    }
    /* Shortest of %.15g..%.17g that round-trips, which for most values is
     * what Python's repr() prints, so sidecars diff cleanly with upstream. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
}

static void str_reserve(TvmafStr *const b, const size_t extra)
{
    if (b->oom || b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *const s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return;
    }
    b->s = s;
    b->cap = cap;
}

void tvmaf_str_printf(TvmafStr *const b, const char *const fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    str_reserve(b, (size_t)n);
    if (b->oom)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tvmaf_str_json_string(TvmafStr *const b, const char *const s)
{
    const size_t n = tvmaf_json_quote(NULL, 0, s);
    str_reserve(b, n);
    if (b->oom)
        return;
    tvmaf_json_quote(b->s + b->len, n + 1, s);
    b->len += n;
}

void tvmaf_str_json_double(TvmafStr *const b, const double v)
{
    char buf[40];
    tvmaf_json_double(buf, sizeof(buf), v);
    tvmaf_str_printf(b, "%s", buf);
}

void tvmaf_str_free(TvmafStr *const b)
{
    free(b->s);
    memset(b, 0, sizeof(*b));
}

void tvmaf_mlp_arch_string(char *const out, const size_t size, const TvmafMlp *const m)
{
    size_t len = 0;
    out[0] = '\0';
    for (int l = 0; l <= m->n_layers && len < size; l++)
        len += snprintf(out + len, size - len, "%s%d", l ? "-" : "", m->width[l]);
}

int tvmaf_table_target_constant(const TvmafTable *const t)
{
    for (size_t i = 1; i < t->n_rows; i++)
        if (t->y[i] != t->y[0])
            return 0;
    return 1;
}
