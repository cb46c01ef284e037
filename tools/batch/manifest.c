#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch/manifest.h"
#include "input/input.h"
#include "tinyvmaf/tinyvmaf.h"
#include "util/util.h"

static const char *const field_names[TVMAF_BF_COUNT] = {
    "id", "reference", "distorted", "model", "tiny_model", "scale", "frame_cnt",
    "frame_skip_ref", "frame_skip_dist", "subsample", "width", "height", "pixel_format",
    "bitdepth",
};

const char *tvmaf_batch_field_name(const enum TvmafBatchField f)
{
    return (unsigned)f < TVMAF_BF_COUNT ? field_names[f] : "?";
}

static int field_index(const char *const name)
{
    for (int i = 0; i < TVMAF_BF_COUNT; i++)
        if (!strcmp(name, field_names[i]))
            return i;
    return -1;
}

uint64_t tvmaf_batch_fnv1a(const void *const data, const size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

unsigned tvmaf_batch_shard_of(const char *const id, const unsigned n)
{
    return n ? (unsigned)(tvmaf_batch_fnv1a(id, strlen(id)) % n) : 0;
}

int tvmaf_batch_id_safe(const char *const id)
{
    const size_t n = strlen(id);
    if (!n || n > TVMAF_BATCH_MAX_ID || id[0] == '.' || id[0] == '-')
        return 0;
    if (strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
        return 0;
    return !(n >= 6 && !strcmp(id + n - 6, ".error"));
}

char *tvmaf_batch_resolve(const char *const dir, const char *const value)
{
    if (value[0] == '/' || !dir || !strcmp(dir, "."))
        return strdup(value);
    const size_t a = strlen(dir), b = strlen(value);
    char *const r = malloc(a + b + 2);
    if (r) {
        memcpy(r, dir, a);
        r[a] = '/';
        memcpy(r + a + 1, value, b + 1);
    }
    return r;
}

/* ------------------------------------------------------------ flat JSON */

void tvmaf_flat_json_free(TvmafFlatKV *const kv, const int n)
{
    if (!kv)
        return;
    for (int i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

static const char *skip_ws(const char *p, const char *const e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

static int hex4(const char *p, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        const char c = p[i];
        *v <<= 4;
        if (c >= '0' && c <= '9') *v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') *v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') *v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    return 0;
}

/* A JSON string at *pp (on the opening quote); unescaped into a new buffer. */
static int json_string(const char **pp, const char *const e, char **out, char *err, size_t errlen)
{
    const char *p = *pp + 1;
    const char *q = p;
    while (q < e && *q != '"') {
        if (*q == '\\')
            q++;
        q++;
    }
    if (q >= e) {
        snprintf(err, errlen, "unterminated string");
        return -1;
    }
    char *const s = malloc((size_t)(q - p) + 1);
    if (!s)
        return -ENOMEM;
    size_t n = 0;
    while (p < q) {
        unsigned char c = (unsigned char)*p++;
        if (c < 0x20) {
            free(s);
            snprintf(err, errlen, "control character in a string");
            return -1;
        }
        if (c != '\\') {
            s[n++] = (char)c;
            continue;
        }
        c = (unsigned char)*p++;
        switch (c) {
        case '"': case '\\': case '/': s[n++] = (char)c; break;
        case 'b': s[n++] = '\b'; break;
        case 'f': s[n++] = '\f'; break;
        case 'n': s[n++] = '\n'; break;
        case 'r': s[n++] = '\r'; break;
        case 't': s[n++] = '\t'; break;
        case 'u': {
            unsigned u, lo;
            if (q - p < 4 || hex4(p, &u)) {
                free(s);
                snprintf(err, errlen, "bad \\u escape");
                return -1;
            }
            p += 4;
            if (u >= 0xd800 && u < 0xdc00) {
                if (q - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) || lo < 0xdc00 ||
                    lo > 0xdfff) {
                    free(s);
                    snprintf(err, errlen, "unpaired surrogate in a \\u escape");
                    return -1;
                }
                p += 6;
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
            } else if ((u >= 0xdc00 && u < 0xe000) || !u) {
                free(s);
                snprintf(err, errlen, u ? "unpaired surrogate in a \\u escape" : "\\u0000 in a string");
                return -1;
            }
            /* 6 escaped bytes always hold the <= 4 bytes of UTF-8. */
            if (u < 0x80) {
                s[n++] = (char)u;
            } else if (u < 0x800) {
                s[n++] = (char)(0xc0 | (u >> 6));
                s[n++] = (char)(0x80 | (u & 0x3f));
            } else if (u < 0x10000) {
                s[n++] = (char)(0xe0 | (u >> 12));
                s[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
                s[n++] = (char)(0x80 | (u & 0x3f));
            } else {
                s[n++] = (char)(0xf0 | (u >> 18));
                s[n++] = (char)(0x80 | ((u >> 12) & 0x3f));
                s[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
                s[n++] = (char)(0x80 | (u & 0x3f));
            }
            break;
        }
        default:
            free(s);
            snprintf(err, errlen, "bad escape in a string");
            return -1;
        }
    }
    s[n] = 0;
    *pp = q + 1;
    *out = s;
    return 0;
}

int tvmaf_flat_json_parse(const char *const s, const size_t len, TvmafFlatKV **const kv_out,
                          const char **const end, char *const err, const size_t errlen)
{
    const char *const e = s + len;
    const char *p = skip_ws(s, e);
    TvmafFlatKV *kv = NULL;
    int n = 0, cap = 0;
    *kv_out = NULL;
    if (p >= e || *p != '{') {
        snprintf(err, errlen, "expected a JSON object");
        return -1;
    }
    p = skip_ws(p + 1, e);
    if (p < e && *p == '}') {
        *end = p + 1;
        return 0;
    }
    for (;;) {
        int r;
        if (p >= e || *p != '"') {
            snprintf(err, errlen, "expected a key string");
            goto fail;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            TvmafFlatKV *const nk = realloc(kv, (size_t)cap * sizeof(*kv));
            if (!nk) {
                tvmaf_flat_json_free(kv, n);
                return -ENOMEM;
            }
            kv = nk;
        }
        TvmafFlatKV *const x = &kv[n];
        memset(x, 0, sizeof(*x));
        if ((r = json_string(&p, e, &x->key, err, errlen)) < 0) {
            tvmaf_flat_json_free(kv, n);
            return r;
        }
        n++;
        p = skip_ws(p, e);
        if (p >= e || *p != ':') {
            snprintf(err, errlen, "expected ':' after a key");
            goto fail;
        }
        p = skip_ws(p + 1, e);
        if (p < e && *p == '"') {
            if ((r = json_string(&p, e, &x->value, err, errlen)) < 0) {
                tvmaf_flat_json_free(kv, n);
                return r;
            }
            x->is_string = 1;
        } else if (p < e && (*p == '-' || (*p >= '0' && *p <= '9'))) {
            const char *q = p;
            while (q < e && strchr("+-.eE0123456789", *q) && *q)
                q++;
            if (!(x->value = strndup(p, (size_t)(q - p)))) {
                tvmaf_flat_json_free(kv, n);
                return -ENOMEM;
            }
            p = q;
        } else if (e - p >= 4 && !memcmp(p, "null", 4)) {
            p += 4;
        } else if (e - p >= 4 && !memcmp(p, "true", 4)) {
            x->value = strdup("true");
            p += 4;
        } else if (e - p >= 5 && !memcmp(p, "false", 5)) {
            x->value = strdup("false");
            p += 5;
        } else {
            snprintf(err, errlen, "value of a key must be a string, a number, true, false or null");
            goto fail;
        }
        p = skip_ws(p, e);
        if (p < e && *p == ',') {
            p = skip_ws(p + 1, e);
            continue;
        }
        if (p < e && *p == '}') {
            *end = p + 1;
            *kv_out = kv;
            return n;
        }
        snprintf(err, errlen, "expected ',' or '}'");
        goto fail;
    }
fail:
    tvmaf_flat_json_free(kv, n);
    return -1;
}

/* ------------------------------------------------------------- manifest */

typedef struct Parser {
    TvmafManifest *m;
    const char *name;
    FILE *errf;
    int n_errors;
    size_t cap_jobs;
} Parser;

static void perr(Parser *const ps, const size_t line, const char *const fmt, ...)
{
    ps->n_errors++;
    if (!ps->errf || ps->n_errors > TVMAF_BATCH_MAX_ERRORS + 1)
        return;
    if (ps->n_errors == TVMAF_BATCH_MAX_ERRORS + 1) {
        fprintf(ps->errf, "tinyvmaf: %s: more errors not shown\n", ps->name);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (line)
        fprintf(ps->errf, "tinyvmaf: %s:%zu: ", ps->name, line);
    else
        fprintf(ps->errf, "tinyvmaf: %s: ", ps->name);
    vfprintf(ps->errf, fmt, ap);
    fputc('\n', ps->errf);
    va_end(ap);
}

static void job_free(TvmafBatchJob *const j)
{
    for (int i = 0; i < TVMAF_BF_COUNT; i++)
        free(j->field[i]);
    free(j->bad);
}

void tvmaf_batch_manifest_free(TvmafManifest *const m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_jobs; i++)
        job_free(&m->jobs[i]);
    free(m->jobs);
    free(m->path);
    free(m->dir);
    memset(m, 0, sizeof(*m));
}

static int set_bad(TvmafBatchJob *const j, const char *const fmt, ...)
{
    if (j->bad)
        return 0;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    j->bad = strdup(buf);
    return j->bad ? 0 : -ENOMEM;
}

/* Decimal only, as the CLI (tools/cli_parse.c). */
static int job_uint(TvmafBatchJob *const j, const int f, const unsigned long max,
                    unsigned long *const out)
{
    const char *const s = j->field[f];
    char echo[80];
    if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 12 || strtoul(s, NULL, 10) > max) {
        return set_bad(j, "%s: expected a decimal integer in 0..%lu, got \"%s\"", field_names[f],
                       max, tvmaf_escape_text(echo, sizeof(echo), s, 32));
    }
    *out = strtoul(s, NULL, 10);
    return 1;
}


/* Validates the option values (job errors) and computes the digest. */
static int job_finish(TvmafBatchJob *const j)
{
    TvmafBatchOpts *const o = &j->opts;
    unsigned long v;
    int r = 0;
    char echo[80];
    memset(o, 0, sizeof(*o));
    o->subsample = 1;
    j->id_safe = tvmaf_batch_id_safe(j->field[TVMAF_BF_ID]);
    if (!j->id_safe)
        r = set_bad(j, "id \"%s\" is not a safe file name (1..%d of A-Z a-z 0-9 . _ -, not "
                    "starting with '.' or '-', not ending in \".error\")",
                    tvmaf_escape_text(echo, sizeof(echo), j->field[TVMAF_BF_ID], 32),
                    TVMAF_BATCH_MAX_ID);
    if (j->field[TVMAF_BF_SCALE] && r >= 0) {
        /* As --scale: an empty cell is the default method. */
        const char *const sm = *j->field[TVMAF_BF_SCALE] ? j->field[TVMAF_BF_SCALE] : "bicubic";
        if (!tvmaf_input_have_libav())
            r = set_bad(j, "scale: needs FFmpeg's libraries (libswscale), which this build lacks");
        else if ((o->scale_flags = tvmaf_input_scale_flags(sm)) <= 0)
            r = set_bad(j, "scale: unknown method \"%s\" (bicubic, bilinear, lanczos, spline)",
                        tvmaf_escape_text(echo, sizeof(echo), sm, 32));
    }
    if (j->field[TVMAF_BF_FRAME_CNT] && r >= 0 &&
        (r = job_uint(j, TVMAF_BF_FRAME_CNT, 0xffffffffu, &v)) > 0) {
        o->frame_cnt = (unsigned)v;
        o->frame_cnt_given = 1;
    }
    if (j->field[TVMAF_BF_FRAME_SKIP_REF] && r >= 0 &&
        (r = job_uint(j, TVMAF_BF_FRAME_SKIP_REF, 0xffffffffu, &v)) > 0)
        o->skip_ref = (unsigned)v;
    if (j->field[TVMAF_BF_FRAME_SKIP_DIST] && r >= 0 &&
        (r = job_uint(j, TVMAF_BF_FRAME_SKIP_DIST, 0xffffffffu, &v)) > 0)
        o->skip_dis = (unsigned)v;
    if (j->field[TVMAF_BF_SUBSAMPLE] && r >= 0 &&
        (r = job_uint(j, TVMAF_BF_SUBSAMPLE, 1u << 20, &v)) > 0) {
        if (!v)
            r = set_bad(j, "subsample: must be at least 1");
        o->subsample = (unsigned)v;
    }
    const int have_w = !!j->field[TVMAF_BF_WIDTH], have_h = !!j->field[TVMAF_BF_HEIGHT];
    const int have_p = !!j->field[TVMAF_BF_PIXEL_FORMAT], have_b = !!j->field[TVMAF_BF_BITDEPTH];
    if (have_w && r >= 0 && (r = job_uint(j, TVMAF_BF_WIDTH, TVMAF_PICTURE_MAX_DIM, &v)) > 0) {
        if (!v)
            r = set_bad(j, "width: must be at least 1");
        o->w = (int)v;
    }
    if (have_h && r >= 0 && (r = job_uint(j, TVMAF_BF_HEIGHT, TVMAF_PICTURE_MAX_DIM, &v)) > 0) {
        if (!v)
            r = set_bad(j, "height: must be at least 1");
        o->h = (int)v;
    }
    if (have_p && r >= 0 && tvmaf_input_layout_by_name(j->field[TVMAF_BF_PIXEL_FORMAT], &o->layout))
        r = set_bad(j, "pixel_format: unknown format \"%s\" (420, 422, 444, 400)",
                    tvmaf_escape_text(echo, sizeof(echo), j->field[TVMAF_BF_PIXEL_FORMAT], 32));
    if (have_b && r >= 0 && (r = job_uint(j, TVMAF_BF_BITDEPTH, 16, &v)) > 0) {
        if (v != 8 && v != 10 && v != 12 && v != 16)
            r = set_bad(j, "bitdepth: %lu is not one of 8, 10, 12, 16", v);
        o->bpc = (int)v;
    }
    const int n_raw = have_w + have_h + have_p + have_b;
    if (n_raw && n_raw != 4 && r >= 0)
        r = set_bad(j, "raw YUV input needs all of width, height, pixel_format and bitdepth");
    o->raw = n_raw == 4;
    if (r < 0)
        return r;

    uint64_t h = 0xcbf29ce484222325ull;
    for (int f = 0; f < TVMAF_BF_COUNT; f++) {
        if (!j->field[f])
            continue;
        char pre[64];
        const int n = snprintf(pre, sizeof(pre), "%s=%zu:", field_names[f], strlen(j->field[f]));
        const char *const parts[3] = { pre, j->field[f], "\n" };
        const size_t lens[3] = { (size_t)n, strlen(j->field[f]), 1 };
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < lens[k]; i++) {
                h ^= (unsigned char)parts[k][i];
                h *= 0x100000001b3ull;
            }
    }
    const char *const ver = tvmaf_version();
    for (size_t i = 0; ver[i]; i++) {
        h ^= (unsigned char)ver[i];
        h *= 0x100000001b3ull;
    }
    j->digest = h;
    return 0;
}

static TvmafBatchJob *new_job(Parser *const ps, const size_t line)
{
    TvmafManifest *const m = ps->m;
    if (m->n_jobs == ps->cap_jobs) {
        const size_t cap = ps->cap_jobs ? 2 * ps->cap_jobs : 64;
        TvmafBatchJob *const nj = realloc(m->jobs, cap * sizeof(*nj));
        if (!nj)
            return NULL;
        m->jobs = nj;
        ps->cap_jobs = cap;
    }
    TvmafBatchJob *const j = &m->jobs[m->n_jobs++];
    memset(j, 0, sizeof(*j));
    j->line = line;
    return j;
}

/* Checks the required values of a completed row; 0 if the row is kept. */
static int row_required(Parser *const ps, TvmafBatchJob *const j)
{
    int ok = 1;
    for (int f = 0; f <= TVMAF_BF_DISTORTED; f++)
        if (!j->field[f] || !j->field[f][0]) {
            perr(ps, j->line, "\"%s\" is missing or empty", field_names[f]);
            ok = 0;
        }
    return ok ? 0 : -1;
}

static int add_value(TvmafBatchJob *const j, const int f, const char *const v)
{
    if (!v || !*v)
        return 0; /* empty = not given */
    if (!(j->field[f] = strdup(v)))
        return -ENOMEM;
    return 0;
}

static int parse_csv(Parser *const ps, const char *const data, const size_t len)
{
    TvmafCsv c;
    memset(&c, 0, sizeof(c));
    c.next_line = 1;
    if (!(c.buf = malloc(len + 1)))
        return -ENOMEM;
    memcpy(c.buf, data, len);
    c.buf[len] = 0;
    c.len = len;
    if (len >= 3 && !memcmp(c.buf, "\xef\xbb\xbf", 3))
        c.pos = 3;
    char err[256];
    char **fields;
    int col[TVMAF_CSV_MAX_FIELDS];
    int n_cols = -1, ret = 0;
    for (;;) {
        const size_t start = c.pos;
        const int n = tvmaf_csv_next(&c, &fields, err, sizeof(err));
        if (n == -ENOMEM) {
            ret = -ENOMEM;
            break;
        }
        if (n < 0) {
            perr(ps, c.line, "%s", err);
            break; /* the reader cannot resynchronise after a bad quote */
        }
        if (n == 0)
            break;
        if (c.pos - start > TVMAF_BATCH_MAX_ROW) {
            perr(ps, c.line, "row of %zu bytes, more than the %d allowed", c.pos - start,
                 TVMAF_BATCH_MAX_ROW);
            if (n_cols < 0)
                break;
            continue;
        }
        if (n_cols < 0) {
            n_cols = n;
            int seen[TVMAF_BF_COUNT] = { 0 };
            for (int i = 0; i < n; i++) {
                char echo[80];
                col[i] = field_index(fields[i]);
                if (col[i] < 0)
                    perr(ps, c.line, "unknown column \"%s\" (known: id, reference, distorted, model, "
                         "tiny_model, scale, frame_cnt, frame_skip_ref, frame_skip_dist, subsample, "
                         "width, height, pixel_format, bitdepth)",
                         tvmaf_escape_text(echo, sizeof(echo), fields[i], 32));
                else if (seen[col[i]]++)
                    perr(ps, c.line, "column \"%s\" appears twice", fields[i]);
            }
            for (int f = 0; f <= TVMAF_BF_DISTORTED; f++)
                if (!seen[f])
                    perr(ps, c.line, "missing column \"%s\" (the header row must name id, "
                         "reference and distorted)", field_names[f]);
            if (ps->n_errors)
                break;
            continue;
        }
        if (n != n_cols) {
            perr(ps, c.line, "%d fields, the header has %d", n, n_cols);
            continue;
        }
        TvmafBatchJob *const j = new_job(ps, c.line);
        if (!j) {
            ret = -ENOMEM;
            break;
        }
        for (int i = 0; i < n && !ret; i++)
            ret = add_value(j, col[i], fields[i]);
        if (ret)
            break;
        if (row_required(ps, j) < 0) {
            job_free(j);
            ps->m->n_jobs--;
        }
    }
    if (!ret && n_cols < 0 && !ps->n_errors)
        perr(ps, 0, "empty manifest (no header row)");
    tvmaf_csv_free(&c);
    return ret;
}

static int parse_jsonl(Parser *const ps, const char *const data, const size_t len)
{
    size_t pos = 0, line = 0;
    if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
        pos = 3;
    while (pos < len) {
        line++;
        const char *const nl = memchr(data + pos, '\n', len - pos);
        const size_t end = nl ? (size_t)(nl - data) : len;
        const char *const s = data + pos;
        const size_t n = end - pos;
        pos = end + 1;
        if (n > TVMAF_BATCH_MAX_ROW) {
            perr(ps, line, "line of %zu bytes, more than the %d allowed", n, TVMAF_BATCH_MAX_ROW);
            continue;
        }
        const char *p = s;
        while (p < s + n && strchr(" \t\r", *p) && *p)
            p++;
        if (p == s + n)
            continue;
        if (memchr(s, 0, n)) {
            perr(ps, line, "NUL byte in the line");
            continue;
        }
        TvmafFlatKV *kv;
        const char *after;
        char err[256];
        const int k = tvmaf_flat_json_parse(s, n, &kv, &after, err, sizeof(err));
        if (k == -ENOMEM)
            return -ENOMEM;
        if (k < 0) {
            perr(ps, line, "%s", err);
            continue;
        }
        while (after < s + n && strchr(" \t\r", *after) && *after)
            after++;
        int bad = after != s + n;
        if (bad)
            perr(ps, line, "text after the JSON object");
        TvmafBatchJob *const j = bad ? NULL : new_job(ps, line);
        if (!bad && !j) {
            tvmaf_flat_json_free(kv, k);
            return -ENOMEM;
        }
        int seen[TVMAF_BF_COUNT] = { 0 };
        for (int i = 0; i < k && !bad; i++) {
            char echo[80];
            const int f = field_index(kv[i].key);
            if (f < 0) {
                perr(ps, line, "unknown key \"%s\"", tvmaf_escape_text(echo, sizeof(echo), kv[i].key, 32));
                bad = 1;
            } else if (seen[f]++) {
                perr(ps, line, "key \"%s\" appears twice", field_names[f]);
                bad = 1;
            } else if (kv[i].value && add_value(j, f, kv[i].value) < 0) {
                tvmaf_flat_json_free(kv, k);
                return -ENOMEM;
            }
        }
        tvmaf_flat_json_free(kv, k);
        if (!bad && row_required(ps, j) < 0)
            bad = 1;
        if (bad && j) {
            job_free(j);
            ps->m->n_jobs--;
        }
    }
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    const TvmafBatchJob *const *x = a, *const *y = b;
    const int c = strcmp((*x)->field[TVMAF_BF_ID], (*y)->field[TVMAF_BF_ID]);
    return c ? c : ((*x)->line > (*y)->line) - ((*x)->line < (*y)->line);
}

int tvmaf_batch_manifest_parse(TvmafManifest *const m, const char *const data, const size_t len,
                               const char *const name, const char *const dir, FILE *const errf)
{
    memset(m, 0, sizeof(*m));
    Parser ps = { .m = m, .name = name, .errf = errf };
    m->path = strdup(name);
    m->dir = strdup(dir ? dir : ".");
    if (!m->path || !m->dir) {
        tvmaf_batch_manifest_free(m);
        return -ENOMEM;
    }
    size_t p = 0;
    if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
        p = 3;
    while (p < len && strchr(" \t\r\n", data[p]) && data[p])
        p++;
    m->jsonl = p < len && data[p] == '{';
    int r = m->jsonl ? parse_jsonl(&ps, data, len) : parse_csv(&ps, data, len);
    if (r < 0) {
        tvmaf_batch_manifest_free(m);
        return r;
    }
    if (!ps.n_errors && !m->n_jobs)
        perr(&ps, 0, "empty manifest (no jobs)");
    if (!ps.n_errors) {
        TvmafBatchJob **const idx = malloc(m->n_jobs * sizeof(*idx));
        if (!idx) {
            tvmaf_batch_manifest_free(m);
            return -ENOMEM;
        }
        for (size_t i = 0; i < m->n_jobs; i++)
            idx[i] = &m->jobs[i];
        qsort(idx, m->n_jobs, sizeof(*idx), cmp_id);
        for (size_t i = 1; i < m->n_jobs; i++)
            if (!strcmp(idx[i]->field[TVMAF_BF_ID], idx[i - 1]->field[TVMAF_BF_ID])) {
                char echo[80];
                const TvmafBatchJob *first = idx[i - 1];
                for (size_t k = i - 1; k > 0 && !strcmp(idx[k - 1]->field[TVMAF_BF_ID],
                                                        first->field[TVMAF_BF_ID]); k--)
                    first = idx[k - 1];
                perr(&ps, idx[i]->line, "duplicate id \"%s\" (first on line %zu)",
                     tvmaf_escape_text(echo, sizeof(echo), idx[i]->field[TVMAF_BF_ID], 32),
                     first->line);
            }
        free(idx);
    }
    for (size_t i = 0; i < m->n_jobs && !ps.n_errors; i++)
        if ((r = job_finish(&m->jobs[i])) < 0) {
            tvmaf_batch_manifest_free(m);
            return r;
        }
    if (ps.n_errors) {
        tvmaf_batch_manifest_free(m);
        return ps.n_errors;
    }
    return 0;
}

int tvmaf_batch_manifest_load(TvmafManifest *const m, const char *const path, FILE *const errf)
{
    memset(m, 0, sizeof(*m));
    FILE *const f = fopen(path, "rb");
    struct stat st;
    const char *why = NULL;
    char *buf = NULL;
    size_t len = 0;
    int e = 0;
    if (!f)
        e = errno;
    else if (fstat(fileno(f), &st) < 0)
        e = errno;
    else if (S_ISDIR(st.st_mode))
        e = EISDIR;
    else if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > TVMAF_BATCH_MAX_MANIFEST)
        why = "larger than the 256 MiB allowed";
    if (f && !e && !why) {
        size_t cap = 1 << 16;
        for (;;) {
            char *const nb = realloc(buf, cap + 1);
            if (!nb) {
                e = ENOMEM;
                break;
            }
            buf = nb;
            len += fread(buf + len, 1, cap - len, f);
            if (ferror(f)) {
                e = EIO;
                break;
            }
            if (len < cap)
                break;
            if (cap >= TVMAF_BATCH_MAX_MANIFEST) {
                why = "larger than the 256 MiB allowed";
                break;
            }
            cap *= 2;
        }
    }
    if (f)
        fclose(f);
    if (e || why) {
        free(buf);
        if (errf)
            fprintf(errf, "tinyvmaf: %s: cannot read the manifest: %s\n", path,
                    why ? why : strerror(e));
        return e == ENOMEM ? -ENOMEM : 1;
    }
    char *const dir = strdup(path);
    if (!dir) {
        free(buf);
        return -ENOMEM;
    }
    char *const slash = strrchr(dir, '/');
    if (slash)
        slash == dir ? (void)(slash[1] = 0) : (void)(*slash = 0);
    const int r = tvmaf_batch_manifest_parse(m, buf ? buf : "", len, path, slash ? dir : ".", errf);
    free(dir);
    free(buf);
    return r;
}
