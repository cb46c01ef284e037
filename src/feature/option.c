#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feature/option.h"

static void *field(void *s, const TvmafOption *o)
{
    return (uint8_t *)s + o->offset;
}

static const void *cfield(const void *s, const TvmafOption *o)
{
    return (const uint8_t *)s + o->offset;
}

void tvmaf_option_defaults(const TvmafOption *t, void *s)
{
    for (; t && t->name; t++) {
        switch (t->type) {
        case TVMAF_OPTION_BOOL: *(bool *)field(s, t) = t->def != 0.0; break;
        case TVMAF_OPTION_INT:
        case TVMAF_OPTION_ENUM: *(int *)field(s, t) = (int)t->def; break;
        case TVMAF_OPTION_DOUBLE: *(double *)field(s, t) = t->def; break;
        }
    }
}

const TvmafOption *tvmaf_option_find(const TvmafOption *t, const char *name)
{
    for (; t && t->name && name; t++)
        if (!strcmp(t->name, name))
            return t;
    return NULL;
}

static int fail(char *err, size_t n, const TvmafOption *o, const char *text, const char *why)
{
    if (err && n)
        snprintf(err, n, "option %s: bad value \"%.40s\" (%s)", o->name, text, why);
    return -EINVAL;
}

int tvmaf_option_parse(const TvmafOption *o, void *s, const char *text, char *err, size_t n)
{
    if (!o || !s || !text)
        return -EINVAL;
    char *end = NULL;
    switch (o->type) {
    case TVMAF_OPTION_BOOL:
        if (!strcmp(text, "true") || !strcmp(text, "1"))
            *(bool *)field(s, o) = true;
        else if (!strcmp(text, "false") || !strcmp(text, "0"))
            *(bool *)field(s, o) = false;
        else
            return fail(err, n, o, text, "expected true or false");
        return 0;
    case TVMAF_OPTION_INT: {
        /* Base 10 only: "010" is ten, "0x40" is refused. A model written by
         * a JSON encoder may spell an integer as "1080.0"; accept an exact
         * integral value. */
        errno = 0;
        const double d = strtod(text, &end);
        if (end == text || *end || errno || !isfinite(d) || d != floor(d) ||
            strpbrk(text, "xXpP"))
            return fail(err, n, o, text, "expected a decimal integer");
        if (d < o->min || d > o->max)
            return fail(err, n, o, text, "out of range");
        *(int *)field(s, o) = (int)d;
        return 0;
    }
    case TVMAF_OPTION_DOUBLE: {
        errno = 0;
        const double d = strtod(text, &end);
        if (end == text || *end || errno || !isfinite(d) || strpbrk(text, "xXpP"))
            return fail(err, n, o, text, "expected a decimal number");
        if (d < o->min || d > o->max)
            return fail(err, n, o, text, "out of range");
        *(double *)field(s, o) = d;
        return 0;
    }
    case TVMAF_OPTION_ENUM:
        for (int i = 0; o->names && o->names[i]; i++) {
            if (!strcmp(o->names[i], text)) {
                *(int *)field(s, o) = i;
                return 0;
            }
        }
        return fail(err, n, o, text, "unknown name");
    }
    return -EINVAL;
}

static int is_default(const TvmafOption *o, const void *s)
{
    switch (o->type) {
    case TVMAF_OPTION_BOOL: return *(const bool *)cfield(s, o) == (o->def != 0.0);
    case TVMAF_OPTION_INT:
    case TVMAF_OPTION_ENUM: return *(const int *)cfield(s, o) == (int)o->def;
    case TVMAF_OPTION_DOUBLE: return *(const double *)cfield(s, o) == o->def;
    }
    return 1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const TvmafOption *const *)a)->name, (*(const TvmafOption *const *)b)->name);
}

int tvmaf_option_key(const TvmafOption *t, const void *s, const char *base, char *buf, size_t size)
{
    if (!base || !buf || !size)
        return -EINVAL;
    const TvmafOption *sorted[64];
    size_t k = 0;
    for (const TvmafOption *o = t; o && o->name; o++)
        if ((o->flags & TVMAF_OPTION_KEY) && !is_default(o, s)) {
            if (k == sizeof(sorted) / sizeof(*sorted))
                return -EINVAL;
            sorted[k++] = o;
        }
    qsort(sorted, k, sizeof(*sorted), by_name);

    int len = snprintf(buf, size, "%s", base);
    for (size_t i = 0; i < k && len >= 0 && (size_t)len < size; i++) {
        const TvmafOption *o = sorted[i];
        const char *a = o->alias ? o->alias : o->name;
        char *p = buf + len;
        const size_t left = size - (size_t)len;
        int m = -1;
        switch (o->type) {
        case TVMAF_OPTION_BOOL:
            /* A bool differs from its default; libvmaf prints only the alias. */
            m = snprintf(p, left, "_%s", a);
            break;
        case TVMAF_OPTION_INT: m = snprintf(p, left, "_%s_%d", a, *(const int *)cfield(s, o)); break;
        case TVMAF_OPTION_DOUBLE:
            m = snprintf(p, left, "_%s_%g", a, *(const double *)cfield(s, o));
            break;
        case TVMAF_OPTION_ENUM:
            m = snprintf(p, left, "_%s_%s", a, o->names[*(const int *)cfield(s, o)]);
            break;
        }
        len = m < 0 ? -1 : len + m;
    }
    return len < 0 || (size_t)len >= size ? -EINVAL : 0;
}
