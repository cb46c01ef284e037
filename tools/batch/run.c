/*
 * The batch runner. Each job is scored in a child process (fork), so a job
 * that crashes or runs out of memory fails alone, and --jobs children run
 * at once, each with cores / --jobs engine threads. A child captures its
 * stderr: the last line of a failure becomes ID.error.json. Children die
 * with the runner (PR_SET_PDEATHSIG, SIGTERM), and SIGTERM removes their
 * temporaries (util.h, atomic output), so a killed shard leaves finished
 * results and nothing half-written. SIGINT, SIGTERM and SIGHUP to the
 * runner stop the children, then end the runner by the same signal.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "batch/batch.h"
#include "cli.h"
#include "score_pair.h"
#include "tinyvmaf/score.h"
#include "util/util.h"

static char *job_path(const char *const dir, const char *const id, const char *const suffix)
{
    const size_t n = strlen(dir) + strlen(id) + strlen(suffix) + 2;
    char *const p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s%s", dir, id, suffix);
    return p;
}

int tvmaf_batch_read_file(const char *const path, const int is_error, TvmafFlatKV **const kv)
{
    *kv = NULL;
    FILE *const f = fopen(path, "rb");
    if (!f)
        return -2;
    /* The batch block is the result's last line but one: read the tail only. */
    enum { TAIL = 2 * TVMAF_BATCH_MAX_ROW };
    char *const buf = malloc(TAIL + 1);
    if (!buf) {
        fclose(f);
        return -ENOMEM;
    }
    if (!is_error && fseek(f, 0, SEEK_END) == 0) {
        const long size = ftell(f);
        fseek(f, size > TAIL ? size - TAIL : 0, SEEK_SET);
    }
    const size_t len = fread(buf, 1, TAIL, f);
    const int bad = ferror(f);
    fclose(f);
    buf[len] = 0;
    int n = -1;
    const char *s = NULL, *end;
    char err[128];
    if (bad)
        s = NULL;
    else if (is_error)
        s = buf;
    else if ((s = strstr(buf, "\n  \"batch\": {")))
        s += 11;
    if (s)
        n = tvmaf_flat_json_parse(s, len - (size_t)(s - buf), kv, &end, err, sizeof(err));
    free(buf);
    return n;
}

int tvmaf_batch_result_current(const char *const dir, const TvmafBatchJob *const j)
{
    char *const path = job_path(dir, j->field[TVMAF_BF_ID], ".json");
    if (!path)
        return 0;
    TvmafFlatKV *kv;
    const int n = tvmaf_batch_read_file(path, 0, &kv);
    free(path);
    char want[17];
    snprintf(want, sizeof(want), "%016llx", (unsigned long long)j->digest);
    int id_ok = 0, dig_ok = 0;
    for (int i = 0; i < n; i++) {
        if (!kv[i].value)
            continue;
        id_ok |= !strcmp(kv[i].key, "id") && !strcmp(kv[i].value, j->field[TVMAF_BF_ID]);
        dig_ok |= !strcmp(kv[i].key, "row_digest") && !strcmp(kv[i].value, want);
    }
    if (n > 0)
        tvmaf_flat_json_free(kv, n);
    return id_ok && dig_ok;
}

/* Writes DIR/ID.error.json and removes a stale DIR/ID.json. */
static int write_error(const char *const dir, const TvmafBatchJob *const j, const char *const msg)
{
    char *const path = job_path(dir, j->field[TVMAF_BF_ID], ".error.json");
    char *const res = job_path(dir, j->field[TVMAF_BF_ID], ".json");
    int r = -1;
    if (path && res) {
        const char *const ver = tvmaf_version();
        const size_t need = tvmaf_json_quote(NULL, 0, j->field[TVMAF_BF_ID]) +
                            tvmaf_json_quote(NULL, 0, msg) + tvmaf_json_quote(NULL, 0, ver) + 128;
        char *const buf = malloc(need);
        if (buf) {
            size_t n = (size_t)snprintf(buf, need, "{\"id\": ");
            n += tvmaf_json_quote(buf + n, need - n, j->field[TVMAF_BF_ID]);
            n += (size_t)snprintf(buf + n, need - n, ", \"row_digest\": \"%016llx\", \"tinyvmaf\": ",
                                  (unsigned long long)j->digest);
            n += tvmaf_json_quote(buf + n, need - n, ver);
            n += (size_t)snprintf(buf + n, need - n, ", \"error\": ");
            n += tvmaf_json_quote(buf + n, need - n, msg);
            n += (size_t)snprintf(buf + n, need - n, "}\n");
            char err[256];
            r = tvmaf_atomic_write(path, buf, n, err, sizeof(err));
            if (r < 0)
                fprintf(stderr, "tinyvmaf: %s: %s\n", path, err);
            else
                unlink(res);
            free(buf);
        }
    }
    free(path);
    free(res);
    return r;
}

/* "path=rel" inside a --model spec, resolved against the manifest's directory. */
static char *resolve_model_spec(const char *const dir, const char *const spec)
{
    const size_t cap = 2 * strlen(spec) + strlen(dir) + 16;
    char *const out = malloc(cap);
    char *const copy = strdup(spec);
    if (!out || !copy) {
        free(out);
        free(copy);
        return NULL;
    }
    out[0] = 0;
    size_t n = 0;
    char *save = NULL;
    for (char *kv = strtok_r(copy, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        if (!strncmp(kv, "path=", 5) && kv[5]) {
            char *const r = tvmaf_batch_resolve(dir, kv + 5);
            if (!r || n + strlen(r) + 8 > cap) {
                free(r);
                free(out);
                free(copy);
                return NULL;
            }
            n += (size_t)snprintf(out + n, cap - n, "%spath=%s", n ? ":" : "", r);
            free(r);
        } else {
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? ":" : "", kv);
        }
    }
    free(copy);
    return out;
}

/* Appends `"mean.NAME": value` for every model score to the batch block. */
static char *batch_block(const TvmafBatchJob *const j, TvmafScorer *const sc, const unsigned frames)
{
    size_t cap = 1024, n = 0;
    const char *const ver = tvmaf_version();
    cap += tvmaf_json_quote(NULL, 0, j->field[TVMAF_BF_ID]) + tvmaf_json_quote(NULL, 0, ver);
    const unsigned nm = tvmaf_scorer_metric_count(sc);
    for (unsigned i = 0; i < nm; i++) {
        TvmafMetric m;
        if (tvmaf_scorer_metric(sc, i, &m) == 0)
            cap += tvmaf_json_quote(NULL, 0, m.name) + 48;
    }
    char *const b = malloc(cap);
    if (!b)
        return NULL;
    n += (size_t)snprintf(b + n, cap - n, "{\"id\": ");
    n += tvmaf_json_quote(b + n, cap - n, j->field[TVMAF_BF_ID]);
    n += (size_t)snprintf(b + n, cap - n, ", \"row_digest\": \"%016llx\", \"tinyvmaf\": ",
                          (unsigned long long)j->digest);
    n += tvmaf_json_quote(b + n, cap - n, ver);
    n += (size_t)snprintf(b + n, cap - n, ", \"frames\": %u", frames);
    for (unsigned i = 0; i < nm; i++) {
        TvmafMetric m;
        double v;
        if (tvmaf_scorer_metric(sc, i, &m) < 0 || m.kind == TVMAF_METRIC_FEATURE ||
            tvmaf_scorer_pool(sc, i, TVMAF_POOL_MEAN, &v) < 0 || !isfinite(v))
            continue;
        char key[512];
        snprintf(key, sizeof(key), "mean.%s", m.name);
        n += (size_t)snprintf(b + n, cap - n, ", ");
        n += tvmaf_json_quote(b + n, cap - n, key);
        n += (size_t)snprintf(b + n, cap - n, ": %.6f", v);
    }
    snprintf(b + n, cap - n, "}");
    return b;
}

/* Scores one job (in the child), as `tinyvmaf -r -d ... --json -o DIR/ID.json`. */
static int score_job(const TvmafManifest *const m, const TvmafBatchJob *const j,
                     const TvmafBatchRunOpts *const ro, const int threads)
{
    int ret = -1;
    char err[256];
    CliOptions o;
    memset(&o, 0, sizeof(o));
    TvmafScorers *scorers = NULL;
    char *ref = tvmaf_batch_resolve(m->dir, j->field[TVMAF_BF_REFERENCE]);
    char *dis = tvmaf_batch_resolve(m->dir, j->field[TVMAF_BF_DISTORTED]);
    char *model = NULL, *tiny = NULL, *block = NULL;
    char *const out = job_path(ro->out_dir, j->field[TVMAF_BF_ID], ".json");
    if (!ref || !dis || !out)
        goto oom;
    o.ref_path = ref;
    o.dis_path = dis;
    o.out_path = out;
    o.out_fmt = TVMAF_OUTPUT_JSON;
    o.n_threads = threads;
    o.cpu_mask = ro->cpu_mask;
    o.subsample = j->opts.subsample;
    o.motion_compat = TVMAF_MOTION_FUSED;
    o.frame_cnt = j->opts.frame_cnt;
    o.frame_cnt_given = j->opts.frame_cnt_given;
    o.skip_ref = j->opts.skip_ref;
    o.skip_dis = j->opts.skip_dis;
    o.link.scale_flags = j->opts.scale_flags;
    o.link.frame_cnt = o.frame_cnt;
    o.link.skip_ref = o.skip_ref;
    o.raw.link = &o.link;
    if (j->opts.raw) {
        o.raw.w = j->opts.w;
        o.raw.h = j->opts.h;
        o.raw.bpc = j->opts.bpc;
        o.raw.layout = j->opts.layout;
        o.raw.set = 1;
    }
    if (j->field[TVMAF_BF_MODEL]) {
        if (!(model = resolve_model_spec(m->dir, j->field[TVMAF_BF_MODEL])))
            goto oom;
        o.models[o.n_models++].spec = model;
    }
    if (j->field[TVMAF_BF_TINY_MODEL]) {
        const char *const t = j->field[TVMAF_BF_TINY_MODEL];
        const size_t tl = strlen(t);
        const int is_path = strchr(t, '/') || (tl > 5 && !strcmp(t + tl - 5, ".onnx"));
        if (!(tiny = is_path ? tvmaf_batch_resolve(m->dir, t) : strdup(t)))
            goto oom;
        o.tiny_models[o.n_tiny_models++] = tiny;
    }
    if (tvmaf_same_file(ref, out) || tvmaf_same_file(dis, out)) {
        fprintf(stderr, "tinyvmaf: the result %s would replace an input\n", out);
        goto end;
    }

    /* A --frame_cnt in the row makes a shorter count intended: no warning. */
    o.quiet = o.frame_cnt_given;
    TvmafReport rep;
    if (tvmaf_score_pair(&o, &scorers, &rep) < 0)
        goto end;
    if (!(block = batch_block(j, tvmaf_scorers_scorer(scorers), rep.n_frames)))
        goto oom;
    TvmafReportBlock blocks[4];
    int nb = 0;
    for (int i = 0; i < rep.n_blocks && nb < 3; i++)
        blocks[nb++] = rep.blocks[i];
    blocks[nb++] = (TvmafReportBlock){ .key = "batch", .json = block };
    rep.blocks = blocks;
    rep.n_blocks = nb;
    if (tvmaf_output_write_file(out, TVMAF_OUTPUT_JSON, &rep, err, sizeof(err)) < 0) {
        fprintf(stderr, "tinyvmaf: %s: %s\n", out, err);
        goto end;
    }
    ret = 0;
    goto end;
oom:
    fprintf(stderr, "tinyvmaf: out of memory\n");
end:
    tvmaf_scorers_close(&scorers);
    free(ref);
    free(dis);
    free(model);
    free(tiny);
    free(block);
    free(out);
    return ret;
}

/* The signal mask the runner had; children run with it. */
static sigset_t child_mask;

/* The child: stderr captured; exit 0 done, 1 failed (error file written), 3 failed. */
static void child(const TvmafManifest *const m, const TvmafBatchJob *const j,
                  const TvmafBatchRunOpts *const ro, const int threads, const pid_t parent)
{
    sigprocmask(SIG_SETMASK, &child_mask, NULL);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    if (getppid() != parent)
        _exit(3);
    fflush(stderr);
    const int saved = dup(2);
    FILE *const cap = tmpfile();
    if (saved < 0 || !cap || dup2(fileno(cap), 2) < 0)
        _exit(3);
    const int r = score_job(m, j, ro, threads);
    fflush(stderr);
    char line[1024] = "", last[1024] = "";
    rewind(cap);
    FILE *const real = fdopen(saved, "w");
    const int tty = !ro->quiet && isatty(saved);
    const char *const id = j->field[TVMAF_BF_ID];
    while (fgets(line, sizeof(line), cap)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0])
            continue;
        const char *const text = !strncmp(line, "tinyvmaf: ", 10) ? line + 10 : line;
        snprintf(last, sizeof(last), "%s", text);
        /* On a terminal, first clear the runner's progress line. */
        if (real && (r < 0 || !ro->quiet))
            fprintf(real, "%stinyvmaf: batch: %s: %s\n", tty ? "\r\033[K" : "", id, text);
    }
    if (real)
        fflush(real);
    if (r == 0) {
        char *const ep = job_path(ro->out_dir, id, ".error.json");
        if (ep)
            unlink(ep);
        free(ep);
        _exit(0);
    }
    dup2(saved, 2);
    _exit(write_error(ro->out_dir, j, last[0] ? last : "scoring failed") < 0 ? 3 : 1);
}


static unsigned cpu_count(void)
{
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
#endif
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* One write per update, so a job's message never lands inside it. */
static void progress(const size_t done, const size_t failed, const size_t skipped,
                     const size_t total, const double t0, const size_t ran)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const double el = ts.tv_sec + ts.tv_nsec * 1e-9 - t0;
    const size_t left = total - done - failed - skipped;
    char eta[32] = "";
    if (ran && left) {
        const double e = el / (double)ran * (double)left;
        snprintf(eta, sizeof(eta), ", ETA %d:%02d", (int)(e / 60), (int)e % 60);
    }
    char line[160];
    snprintf(line, sizeof(line), "\r\033[Ktinyvmaf batch: %zu done, %zu failed, %zu skipped of %zu%s",
             done, failed, skipped, total, eta);
    fputs(line, stderr);
}

int tvmaf_batch_run(const TvmafManifest *const m, const TvmafBatchRunOpts *const ro)
{
    struct stat st;
    if (mkdir(ro->out_dir, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "tinyvmaf: %s: cannot create the output directory: %s\n", ro->out_dir,
                strerror(errno));
        return 2;
    }
    if (stat(ro->out_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "tinyvmaf: %s: not a directory\n", ro->out_dir);
        return 2;
    }
    size_t *const queue = malloc((m->n_jobs ? m->n_jobs : 1) * sizeof(*queue));
    pid_t *const pids = calloc(ro->jobs, sizeof(*pids));
    size_t *const slot_job = calloc(ro->jobs, sizeof(*slot_job));
    if (!queue || !pids || !slot_job) {
        free(queue);
        free(pids);
        free(slot_job);
        fprintf(stderr, "tinyvmaf: out of memory\n");
        return 2;
    }
    size_t nq = 0, total = 0, done = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < m->n_jobs; i++) {
        const TvmafBatchJob *const j = &m->jobs[i];
        if (ro->shards && tvmaf_batch_shard_of(j->field[TVMAF_BF_ID], ro->shards) != ro->shard)
            continue;
        total++;
        if (j->bad) {
            char echo[80];
            fprintf(stderr, "tinyvmaf: batch: %s:%zu: job \"%s\": %s\n", m->path, j->line,
                    tvmaf_escape_text(echo, sizeof(echo), j->field[TVMAF_BF_ID], 32), j->bad);
            if (j->id_safe)
                write_error(ro->out_dir, j, j->bad);
            failed++;
        } else if (tvmaf_batch_result_current(ro->out_dir, j)) {
            skipped++;
        } else {
            queue[nq++] = i;
        }
    }
    const unsigned jobs = ro->jobs;
    const unsigned ncpu = cpu_count();
    const int threads = ro->threads ? ro->threads : (int)(ncpu / jobs ? ncpu / jobs : 1);
    const int tty = !ro->quiet && isatty(2);

    /* The runner waits for SIGCHLD and the stop signals with sigwait(), so
     * a stop request can never slip in between a check and a wait. */
    sigset_t wait_set;
    sigemptyset(&wait_set);
    sigaddset(&wait_set, SIGCHLD);
    sigaddset(&wait_set, SIGINT);
    sigaddset(&wait_set, SIGTERM);
    sigaddset(&wait_set, SIGHUP);
    signal(SIGCHLD, SIG_DFL); /* an inherited SIG_IGN would reap the children for us */
    sigprocmask(SIG_BLOCK, &wait_set, &child_mask);
    int stop_signal = 0;

    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const double t0 = ts.tv_sec + ts.tv_nsec * 1e-9;
    const pid_t self = getpid();
    size_t next = 0, ran = 0;
    unsigned running = 0;
    fflush(stdout);
    fflush(stderr);
    if (tty)
        progress(done, failed, skipped, total, t0, ran);
    while (!stop_signal && (next < nq || running)) {
        while (running < jobs && next < nq && !stop_signal) {
            unsigned s = 0;
            while (pids[s])
                s++;
            const pid_t p = fork();
            if (p == 0)
                child(m, &m->jobs[queue[next]], ro, threads, self);
            if (p < 0) {
                fprintf(stderr, "tinyvmaf: batch: cannot start a job: %s\n", strerror(errno));
                if (!running) {
                    failed += nq - next;
                    next = nq;
                }
                break;
            }
            pids[s] = p;
            slot_job[s] = queue[next++];
            running++;
        }
        if (!running)
            break;
        int status;
        const pid_t p = waitpid(-1, &status, WNOHANG);
        if (p < 0)
            break;
        if (p == 0) {
            int sig;
            if (sigwait(&wait_set, &sig) == 0 && sig != SIGCHLD)
                stop_signal = sig;
            continue;
        }
        unsigned s = 0;
        while (s < jobs && pids[s] != p)
            s++;
        if (s == jobs)
            continue;
        pids[s] = 0;
        running--;
        ran++;
        const TvmafBatchJob *const j = &m->jobs[slot_job[s]];
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            done++;
        } else if (WIFSIGNALED(status) && stop_signal) {
            ran--; /* in flight when we were stopped: rerun later */
        } else {
            failed++;
            if (WIFSIGNALED(status)) {
                char msg[96];
                snprintf(msg, sizeof(msg), "the job was killed by signal %d (%s)",
                         WTERMSIG(status), strsignal(WTERMSIG(status)));
                fprintf(stderr, "tinyvmaf: batch: %s: %s\n", j->field[TVMAF_BF_ID], msg);
                write_error(ro->out_dir, j, msg);
            }
        }
        if (tty)
            progress(done, failed, skipped, total, t0, ran);
    }
    if (tty)
        fputc('\n', stderr);
    if (stop_signal) {
        for (unsigned s = 0; s < jobs; s++)
            if (pids[s])
                kill(pids[s], SIGTERM);
        for (unsigned s = 0; s < jobs; s++)
            if (pids[s])
                waitpid(pids[s], NULL, 0);
        free(queue);
        free(pids);
        free(slot_job);
        signal(stop_signal, SIG_DFL);
        sigprocmask(SIG_SETMASK, &child_mask, NULL);
        raise(stop_signal);
        return 2;
    }
    sigprocmask(SIG_SETMASK, &child_mask, NULL);
    if (!ro->quiet)
        fprintf(stderr, "tinyvmaf batch: %zu jobs: %zu done, %zu failed, %zu skipped (up to date)\n",
                total, done, failed, skipped);
    free(queue);
    free(pids);
    free(slot_job);
    return failed ? 1 : 0;
}
