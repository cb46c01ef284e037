#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal_api.h"
#include "train.h"

/* A whole table is read into memory: we need its bytes for the sha256
 * anyway, and feature tables are small (330k rows is ~40 MB). */
#define MAX_FILE_BYTES ((size_t)1 << 34)

/* Hash of group names -> dense ids, in order of first appearance. */
typedef struct GroupMap {
    char **names;
    size_t *rows;
    int n, cap;
    int *slots;
    size_t n_slots;
} GroupMap;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static int group_id(GroupMap *const g, const char *const name)
{
    if ((size_t)(g->n + 1) * 2 > g->n_slots) {
        const size_t ns = g->n_slots ? g->n_slots * 2 : 64;
        int *const slots = malloc(sizeof(int) * ns);
        if (!slots)
            return -1;
        for (size_t i = 0; i < ns; i++)
            slots[i] = -1;
        for (int i = 0; i < g->n; i++) {
            size_t h = fnv1a(g->names[i]) & (ns - 1);
            while (slots[h] >= 0)
                h = (h + 1) & (ns - 1);
            slots[h] = i;
        }
        free(g->slots);
        g->slots = slots;
        g->n_slots = ns;
    }
    size_t h = fnv1a(name) & (g->n_slots - 1);
    while (g->slots[h] >= 0) {
        if (!strcmp(g->names[g->slots[h]], name))
            return g->slots[h];
        h = (h + 1) & (g->n_slots - 1);
    }
    if (g->n == g->cap) {
        const int nc = g->cap ? g->cap * 2 : 16;
        char **const names = realloc(g->names, sizeof(char *) * nc);
        if (!names)
            return -1;
        g->names = names;
        size_t *const rows = realloc(g->rows, sizeof(size_t) * nc);
        if (!rows)
            return -1;
        g->rows = rows;
        g->cap = nc;
    }
    char *const copy = strdup(name);
    if (!copy)
        return -1;
    g->names[g->n] = copy;
    g->rows[g->n] = 0;
    g->slots[h] = g->n;
    return g->n++;
}

static const char *const *sort_names;
static int cmp_ids(const void *a, const void *b)
{
    return strcmp(sort_names[*(const int *)a], sort_names[*(const int *)b]);
}

static void cell_preview(char *const out, const size_t size, const char *const cell)
{
    tvmaf_escape_text(out, size, cell, 40);
}

/* Parses a whole cell as a number; leading/trailing blanks are allowed. */
static int parse_number(const char *const cell, double *const v)
{
    const char *p = cell;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return -1;
    char *end;
    *v = strtod(p, &end);
    if (end == p)
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    return *end ? -1 : 0;
}

/* A header cell names column `want`, blanks around it aside. */
static int same_name(const char *cell, const char *const want)
{
    while (*cell == ' ' || *cell == '\t')
        cell++;
    const size_t n = strlen(want);
    if (strncmp(cell, want, n))
        return 0;
    for (cell += n; *cell == ' ' || *cell == '\t'; cell++)
        ;
    return !*cell;
}

void tvmaf_table_free(TvmafTable *const t)
{
    if (!t)
        return;
    if (t->feature_names)
        for (int i = 0; i < t->n_features; i++)
            free(t->feature_names[i]);
    free(t->feature_names);
    if (t->group_names)
        for (int i = 0; i < t->n_groups; i++)
            free(t->group_names[i]);
    free(t->group_names);
    free(t->group_rows);
    free(t->x);
    free(t->y);
    free(t->group);
    memset(t, 0, sizeof(*t));
}

int tvmaf_table_load(TvmafTable *const t, const char *const path,
                     const TvmafTableSpec *const spec, const TvmafLogger *const log)
{
    TvmafCsv r = { 0 };
    GroupMap gm = { 0 };
    char **fields = NULL;
    char err[256];
    int *sorted = NULL, *remap = NULL;
    int ret;
    memset(t, 0, sizeof(*t));

    const int k = spec->n_features;
    if (k < 1 || k > TVMAF_TRAIN_MAX_FEATURES) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "between 1 and %d feature columns are supported",
                  TVMAF_TRAIN_MAX_FEATURES);
        return TVMAF_ERR(EINVAL);
    }
    if ((ret = tvmaf_csv_load(&r, path, MAX_FILE_BYTES, err, sizeof(err))) < 0) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: %s", path, err);
        return ret == -ENOENT ? TVMAF_ERR(ENOENT) : ret == -ENOMEM ? TVMAF_ERR(ENOMEM)
               : ret == -EFBIG ? TVMAF_ERR(EBADMSG) : TVMAF_ERR(EIO);
    }
    tvmaf_sha256(r.buf, r.len, t->sha256);

    /* Columns we read: features, then target, then group. */
    const int n_used = k + 2;
    int col[TVMAF_TRAIN_MAX_FEATURES + 2];
    const char *want[TVMAF_TRAIN_MAX_FEATURES + 2];
    for (int i = 0; i < k; i++)
        want[i] = spec->features[i];
    want[k] = spec->target;
    want[k + 1] = spec->group;
    for (int i = 0; i < n_used; i++)
        col[i] = -1;

    const int n_cols = tvmaf_csv_next(&r, &fields, err, sizeof(err));
    if (n_cols == 0) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: empty file, expected a header row", path);
        ret = TVMAF_ERR(EBADMSG);
        goto fail;
    }
    if (n_cols < 0) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s:%zu: malformed header: %s", path, r.line, err);
        ret = n_cols == -ENOMEM ? TVMAF_ERR(ENOMEM) : TVMAF_ERR(EBADMSG);
        goto fail;
    }
    for (int c = 0; c < n_cols; c++) {
        for (int u = 0; u < n_used; u++) {
            if (!want[u] || !same_name(fields[c], want[u]))
                continue;
            if (col[u] >= 0) {
                tvmaf_log(log, TVMAF_LOG_ERROR, "%s: column '%s' appears twice in the header",
                          path, want[u]);
                ret = TVMAF_ERR(EBADMSG);
                goto fail;
            }
            col[u] = c;
        }
    }
    for (int u = 0; u < n_used; u++) {
        if (want[u] && col[u] < 0) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: missing column '%s'%s", path, want[u],
                      u < k ? " (feature)" : u == k ? " (target; see --target)"
                                                    : " (group; see --group)");
            ret = TVMAF_ERR(ENOENT);
            goto fail;
        }
    }

    /* Upper bound on rows: one per newline, plus a last line without one. */
    size_t cap_rows = 1;
    for (size_t i = r.pos; i < r.len; i++)
        cap_rows += r.buf[i] == '\n';
    if (cap_rows > TVMAF_TRAIN_MAX_ROWS)
        cap_rows = TVMAF_TRAIN_MAX_ROWS;
    t->n_features = k;
    t->x = malloc(sizeof(float) * cap_rows * k);
    if (spec->target)
        t->y = malloc(sizeof(float) * cap_rows);
    if (spec->group)
        t->group = malloc(sizeof(int) * cap_rows);
    t->feature_names = calloc(k, sizeof(char *));
    if (!t->x || (spec->target && !t->y) || (spec->group && !t->group) || !t->feature_names)
        goto oom;
    for (int i = 0; i < k; i++)
        if (!(t->feature_names[i] = strdup(spec->features[i])))
            goto oom;

    size_t n = 0;
    for (;;) {
        const int nf = tvmaf_csv_next(&r, &fields, err, sizeof(err));
        const size_t line = r.line;
        if (nf == 0)
            break;
        if (nf < 0) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s:%zu: %s", path, line, err);
            ret = nf == -ENOMEM ? TVMAF_ERR(ENOMEM) : TVMAF_ERR(EBADMSG);
            goto fail;
        }
        if (nf != n_cols) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s:%zu: %d fields, the header has %d", path, line,
                      nf, n_cols);
            ret = TVMAF_ERR(EBADMSG);
            goto fail;
        }
        if (n == TVMAF_TRAIN_MAX_ROWS) {
            tvmaf_log(log, TVMAF_LOG_ERROR, "%s: more than %d rows", path, TVMAF_TRAIN_MAX_ROWS);
            ret = TVMAF_ERR(EBADMSG);
            goto fail;
        }
        int finite = 1;
        for (int u = 0; u < k + 1; u++) {
            if (col[u] < 0)
                continue;
            const char *const cell = fields[col[u]];
            double v;
            char pv[64];
            if (parse_number(cell, &v) < 0) {
                cell_preview(pv, sizeof(pv), cell);
                tvmaf_log(log, TVMAF_LOG_ERROR, "%s:%zu: column '%s': %s '%s'", path, line,
                          want[u], *cell ? "non-numeric cell" : "empty cell", pv);
                ret = TVMAF_ERR(EBADMSG);
                goto fail;
            }
            const float f = (float)v;
            if (!isfinite(f)) {
                if (!spec->drop_nonfinite) {
                    cell_preview(pv, sizeof(pv), cell);
                    tvmaf_log(log, TVMAF_LOG_ERROR,
                              "%s:%zu: column '%s': non-finite value '%s' (float32)%s",
                              path, line, want[u], pv,
                              spec->target ? "; --drop-nonfinite drops such rows" : "");
                    ret = TVMAF_ERR(EBADMSG);
                    goto fail;
                }
                finite = 0;
                break;
            }
            if (u < k)
                t->x[n * k + u] = f;
            else
                t->y[n] = f;
        }
        if (!finite) {
            t->n_dropped++;
            continue;
        }
        if (spec->group) {
            const int id = group_id(&gm, fields[col[k + 1]]);
            if (id < 0)
                goto oom;
            t->group[n] = id;
            gm.rows[id]++;
        }
        n++;
    }
    if (!n && !(spec->allow_empty && !t->n_dropped)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: no data rows%s", path,
                  t->n_dropped ? " left after dropping non-finite ones" : "");
        ret = TVMAF_ERR(EBADMSG);
        goto fail;
    }
    t->n_rows = n;
    if (t->n_dropped)
        tvmaf_log(log, TVMAF_LOG_WARNING, "dropped %zu row%s with non-finite values, %zu left",
                  t->n_dropped, t->n_dropped == 1 ? "" : "s", n);

    if (spec->group) {
        /* Groups in name order, so fold numbers don't depend on row order. */
        sorted = malloc(sizeof(int) * gm.n);
        remap = malloc(sizeof(int) * gm.n);
        t->group_names = malloc(sizeof(char *) * gm.n);
        t->group_rows = malloc(sizeof(size_t) * gm.n);
        if (!sorted || !remap || !t->group_names || !t->group_rows)
            goto oom;
        for (int i = 0; i < gm.n; i++)
            sorted[i] = i;
        sort_names = (const char *const *)gm.names;
        qsort(sorted, gm.n, sizeof(int), cmp_ids);
        for (int i = 0; i < gm.n; i++) {
            remap[sorted[i]] = i;
            t->group_names[i] = gm.names[sorted[i]];
            t->group_rows[i] = gm.rows[sorted[i]];
        }
        t->n_groups = gm.n;
        free(gm.names);
        gm.names = NULL;
        gm.n = 0;
        for (size_t i = 0; i < n; i++)
            t->group[i] = remap[t->group[i]];
    }
    ret = 0;
    goto done;
oom:
    ret = TVMAF_ERR(ENOMEM);
    tvmaf_log(log, TVMAF_LOG_ERROR, "%s: out of memory", path);
fail:
    tvmaf_table_free(t);
done:
    for (int i = 0; i < gm.n; i++)
        free(gm.names[i]);
    free(gm.names);
    free(gm.rows);
    free(gm.slots);
    free(sorted);
    free(remap);
    tvmaf_csv_free(&r);
    return ret;
}
