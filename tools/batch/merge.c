/*
 * tinyvmaf merge: one row per job from an output directory of
 * tinyvmaf batch. Rows follow the manifest's order with --manifest, else
 * the ids' byte order; score columns are the union of the model scores
 * found, in byte order. Nothing depends on the order the files were
 * written in or on the directory's listing order, so shards finishing in
 * any order merge to the same bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "util/util.h"

typedef struct Row {
    char *id;
    const TvmafBatchJob *job;   ///< with --manifest
    char *status;               ///< "done", "failed", "missing"
    char *frames;
    char *error;
    TvmafFlatKV *kv;            ///< the result's batch block
    int n_kv;
    int is_err;                 ///< read from ID.error.json
} Row;

typedef struct Rows {
    Row *v;
    size_t n, cap;
} Rows;

static Row *row_add(Rows *const rs, const char *const id)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? 2 * rs->cap : 64;
        Row *const nv = realloc(rs->v, rs->cap * sizeof(*nv));
        if (!nv)
            return NULL;
        rs->v = nv;
    }
    Row *const r = &rs->v[rs->n];
    memset(r, 0, sizeof(*r));
    if (!(r->id = strdup(id)))
        return NULL;
    rs->n++;
    return r;
}

static void row_free(Row *const r)
{
    free(r->id);
    free(r->error);
    tvmaf_flat_json_free(r->kv, r->n_kv);
}

static const char *kv_get(const TvmafFlatKV *kv, const int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(kv[i].key, key))
            return kv[i].value;
    return NULL;
}

/* Reads DIR/NAME (a result or an error file) into its row. */
static int load_entry(Rows *const rs, const char *const dir, const char *const name)
{
    const size_t nl = strlen(name);
    const int is_err = nl > 11 && !strcmp(name + nl - 11, ".error.json");
    char id[512];
    snprintf(id, sizeof(id), "%.*s", (int)(nl - (is_err ? 11 : 5)), name);
    if (!tvmaf_batch_id_safe(id))
        return 0;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    TvmafFlatKV *kv = NULL;
    const int n = tvmaf_batch_read_file(path, is_err, &kv);
    if (n == -2) {
        fprintf(stderr, "tinyvmaf: %s: cannot read: %s\n", path, strerror(errno));
        return -1;
    }
    if (n == -ENOMEM)
        return n;
    if (n < 0) {
        /* Another tool's JSON beside the results: its id stays missing. */
        fprintf(stderr, "tinyvmaf: merge: warning: %s is not a tinyvmaf batch %s; skipped\n", path,
                is_err ? "error file" : "result");
        return 0;
    }
    Row *const r = row_add(rs, id);
    if (!r) {
        tvmaf_flat_json_free(kv, n);
        return -ENOMEM;
    }
    r->kv = kv;
    r->n_kv = n;
    r->is_err = is_err;
    if (is_err) {
        const char *const e = kv_get(kv, n, "error");
        if (!(r->error = strdup(e ? e : "unknown error")))
            return -ENOMEM;
    }
    return 0;
}

/* By id; for one id the result before the error file (a result wins; batch
 * never leaves both). */
static int cmp_row(const void *a, const void *b)
{
    const Row *const x = a, *const y = b;
    const int c = strcmp(x->id, y->id);
    return c ? c : x->is_err - y->is_err;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(((const Row *)a)->id, ((const Row *)b)->id);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void put_jsonl(FILE *f, Rows *rs, char **cols, size_t nc)
{
    for (size_t i = 0; i < rs->n; i++) {
        const Row *const r = &rs->v[i];
        fputs("{\"id\": ", f);
        tvmaf_json_put(f, r->id);
        fputs(", \"status\": ", f);
        tvmaf_json_put(f, r->status);
        fprintf(f, ", \"frames\": %s, \"scores\": {", r->frames ? r->frames : "null");
        int k = 0;
        for (size_t c = 0; c < nc; c++) {
            const char *const v = r->kv && !r->error ? kv_get(r->kv, r->n_kv, cols[c]) : NULL;
            if (!v)
                continue;
            fputs(k++ ? ", " : "", f);
            tvmaf_json_put(f, cols[c] + 5);
            fprintf(f, ": %s", v);
        }
        fputs("}, \"error\": ", f);
        if (r->error)
            tvmaf_json_put(f, r->error);
        else
            fputs("null", f);
        fputs("}\n", f);
    }
}

static void put_csv(FILE *f, Rows *rs, char **cols, size_t nc)
{
    fputs("id,status,frames", f);
    for (size_t c = 0; c < nc; c++) {
        fputc(',', f);
        tvmaf_csv_put_field(f, cols[c] + 5);
    }
    fputs(",error\n", f);
    for (size_t i = 0; i < rs->n; i++) {
        const Row *const r = &rs->v[i];
        tvmaf_csv_put_field(f, r->id);
        fprintf(f, ",%s,%s", r->status, r->frames ? r->frames : "");
        for (size_t c = 0; c < nc; c++) {
            const char *const v = r->kv && !r->error ? kv_get(r->kv, r->n_kv, cols[c]) : NULL;
            fprintf(f, ",%s", v ? v : "");
        }
        fputc(',', f);
        if (r->error)
            tvmaf_csv_put_field(f, r->error);
        fputc('\n', f);
    }
}

/* Number text from our own writer: digits, sign, point, exponent only. */
static int numeric(const char *s)
{
    return s && *s && strspn(s, "+-.eE0123456789") == strlen(s);
}

int tvmaf_batch_merge(const char *const dir, const char *const out, const TvmafManifest *const m)
{
    Rows rs = { 0 };
    int ret = 2;
    char **cols = NULL;
    size_t nc = 0, cc = 0;
    DIR *const d = opendir(dir);
    if (!d) {
        fprintf(stderr, "tinyvmaf: %s: cannot open the directory: %s\n", dir, strerror(errno));
        return 2;
    }
    char **names = NULL;
    size_t nn = 0, cn = 0;
    for (struct dirent *e; (e = readdir(d));) {
        const size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".json"))
            continue;
        if (nn == cn) {
            cn = cn ? 2 * cn : 64;
            char **const nv = realloc(names, cn * sizeof(*nv));
            if (!nv)
                goto oom_dir;
            names = nv;
        }
        if (!(names[nn] = strdup(e->d_name)))
            goto oom_dir;
        nn++;
    }
    closedir(d);
    qsort(names, nn, sizeof(*names), cmp_str);
    for (size_t i = 0; i < nn; i++) {
        const int r = load_entry(&rs, dir, names[i]);
        if (r == -ENOMEM)
            goto oom;
        if (r < 0)
            goto end;
    }
    qsort(rs.v, rs.n, sizeof(*rs.v), cmp_row);
    size_t kept = 0;
    for (size_t i = 0; i < rs.n; i++) {
        if (kept && !strcmp(rs.v[kept - 1].id, rs.v[i].id))
            row_free(&rs.v[i]);
        else
            rs.v[kept++] = rs.v[i];
    }
    rs.n = kept;
    size_t n_done = 0, n_failed = 0, n_missing = 0;
    if (m) {
        /* Manifest order; results not in the manifest are left out. */
        Rows mr = { 0 };
        for (size_t i = 0; i < m->n_jobs; i++) {
            const TvmafBatchJob *const j = &m->jobs[i];
            Row *const nr = row_add(&mr, j->field[TVMAF_BF_ID]);
            if (!nr)
                goto oom;
            nr->job = j;
            const Row key = { .id = j->field[TVMAF_BF_ID] };
            Row *const found = j->id_safe ? bsearch(&key, rs.v, rs.n, sizeof(*rs.v), cmp_id) : NULL;
            char want[17];
            snprintf(want, sizeof(want), "%016llx", (unsigned long long)j->digest);
            if (!j->id_safe && j->bad) {
                nr->error = strdup(j->bad);
            } else if (found) {
                const char *const dg = kv_get(found->kv, found->n_kv, "row_digest");
                if (dg && !strcmp(dg, want)) {
                    nr->kv = found->kv;
                    nr->n_kv = found->n_kv;
                    found->kv = NULL;
                    found->n_kv = 0;
                    nr->error = found->error;
                    found->error = NULL;
                } else {
                    nr->status = "missing";
                }
            }
        }
        for (size_t i = 0; i < rs.n; i++)
            row_free(&rs.v[i]);
        free(rs.v);
        rs = mr;
    }
    for (size_t i = 0; i < rs.n; i++) {
        Row *const r = &rs.v[i];
        if (r->error)
            r->status = "failed";
        else if (r->kv && !r->status)
            r->status = "done";
        else
            r->status = "missing";
        n_done += r->status[0] == 'd';
        n_failed += r->status[0] == 'f';
        n_missing += r->status[0] == 'm';
        if (r->status[0] == 'm')
            continue;
        const char *const fr = r->kv && !r->error ? kv_get(r->kv, r->n_kv, "frames") : NULL;
        r->frames = numeric(fr) ? (char *)fr : NULL;
        for (int k = 0; r->kv && !r->error && k < r->n_kv; k++) {
            if (strncmp(r->kv[k].key, "mean.", 5) || !numeric(r->kv[k].value))
                continue;
            size_t c = 0;
            while (c < nc && strcmp(cols[c], r->kv[k].key))
                c++;
            if (c < nc)
                continue;
            if (nc == cc) {
                cc = cc ? 2 * cc : 8;
                char **const nv = realloc(cols, cc * sizeof(*nv));
                if (!nv)
                    goto oom;
                cols = nv;
            }
            cols[nc++] = r->kv[k].key;
        }
    }
    qsort(cols, nc, sizeof(*cols), cmp_str);
    const size_t ol = out ? strlen(out) : 0;
    const int jsonl = ol > 6 && (!strcmp(out + ol - 6, ".jsonl") || !strcmp(out + ol - 7, ".ndjson"));
    TvmafAtomicFile af;
    char err[256];
    if (tvmaf_atomic_open(&af, out ? out : "-", err, sizeof(err)) < 0) {
        fprintf(stderr, "tinyvmaf: %s: %s\n", out ? out : "stdout", err);
        goto end;
    }
    (jsonl ? put_jsonl : put_csv)(af.f, &rs, cols, nc);
    if (tvmaf_atomic_commit(&af, err, sizeof(err)) < 0) {
        fprintf(stderr, "tinyvmaf: %s: %s\n", out ? out : "stdout", err);
        goto end;
    }
    fprintf(stderr, "tinyvmaf merge: %zu jobs: %zu done, %zu failed, %zu missing\n", rs.n, n_done,
            n_failed, n_missing);
    ret = n_failed || n_missing ? 1 : 0;
    goto end;
oom_dir:
    closedir(d);
oom:
    fprintf(stderr, "tinyvmaf: out of memory\n");
end:
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    free(cols);
    for (size_t i = 0; i < rs.n; i++)
        row_free(&rs.v[i]);
    free(rs.v);
    return ret;
}
