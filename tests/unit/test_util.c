/*
 * src/util: atomic output (modes, links, failures, signals, planted
 * symlinks, long names), the same-file check, escaping, the CSV reader and
 * the exit-time stdout check.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit_check.h"
#include "util/util.h"

static char dir[512];

static const char *at(const char *const name)
{
    static char buf[4][PATH_MAX];
    static int k;
    k = (k + 1) % 4;
    if (snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name) >= (int)sizeof(buf[k]))
        abort();
    return buf[k];
}

static void put_file(const char *const path, const char *const text, const mode_t mode)
{
    const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        fprintf(stderr, "cannot write %s\n", path);
    if (fd >= 0) {
        fchmod(fd, mode);
        close(fd);
    }
}

static int file_is(const char *const path, const char *const text)
{
    char buf[4096];
    FILE *const f = fopen(path, "rb");
    if (!f)
        return 0;
    const size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    return !strcmp(buf, text);
}

/* Names in dir other than those the test made: leftover temporaries. */
static int count_temporaries(void)
{
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '^\\.tv'", dir);
    FILE *const p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

static mode_t mode_of(const char *const path)
{
    struct stat st;
    return stat(path, &st) ? (mode_t)-1 : st.st_mode & 07777;
}

static void test_atomic(void)
{
    char err[256];
    const mode_t mask = umask(022);

    /* new file: umask-derived mode, content, no temporary left */
    CHECK(tvmaf_atomic_write(at("new.txt"), "hello", 5, err, sizeof(err)) == 0, "new: %s", err);
    CHECK(file_is(at("new.txt"), "hello"), "new file content");
    CHECK(mode_of(at("new.txt")) == 0644, "new file mode %o", (unsigned)mode_of(at("new.txt")));

    /* replacing keeps the original mode */
    put_file(at("private.txt"), "old", 0600);
    CHECK(tvmaf_atomic_write(at("private.txt"), "new", 3, err, sizeof(err)) == 0, "%s", err);
    CHECK(file_is(at("private.txt"), "new"), "replaced content");
    CHECK(mode_of(at("private.txt")) == 0600, "replaced file lost mode 0600: %o",
          (unsigned)mode_of(at("private.txt")));
    put_file(at("exec.sh"), "old", 0750);
    CHECK(tvmaf_atomic_write(at("exec.sh"), "new", 3, err, sizeof(err)) == 0, "%s", err);
    CHECK(mode_of(at("exec.sh")) == 0750, "mode 0750 kept");

    /* abort: target untouched, temporary gone */
    put_file(at("keep.txt"), "keep", 0644);
    TvmafAtomicFile af;
    CHECK(tvmaf_atomic_open(&af, at("keep.txt"), err, sizeof(err)) == 0, "%s", err);
    fputs("half-written", af.f);
    CHECK(count_temporaries() == 1, "one temporary while writing");
    tvmaf_atomic_abort(&af);
    CHECK(file_is(at("keep.txt"), "keep") && count_temporaries() == 0, "abort keeps the target");
    tvmaf_atomic_abort(NULL);

    /* a symbolic link is written through and stays a link */
    put_file(at("pointee.txt"), "old", 0640);
    CHECK(symlink("pointee.txt", at("link.txt")) == 0, "symlink");
    CHECK(tvmaf_atomic_write(at("link.txt"), "through", 7, err, sizeof(err)) == 0, "%s", err);
    struct stat st;
    CHECK(lstat(at("link.txt"), &st) == 0 && S_ISLNK(st.st_mode), "the link was replaced");
    CHECK(file_is(at("pointee.txt"), "through") && mode_of(at("pointee.txt")) == 0640,
          "the link's target was not written through");
    CHECK(symlink("missing.txt", at("dangling.txt")) == 0, "symlink");
    CHECK(tvmaf_atomic_write(at("dangling.txt"), "x", 1, err, sizeof(err)) == -ENOENT,
          "dangling link accepted");
    CHECK(access(at("missing.txt"), F_OK) && errno == ENOENT, "dangling link's target created");

    /* hard links are refused, the file untouched */
    put_file(at("hard1.txt"), "shared", 0644);
    CHECK(link(at("hard1.txt"), at("hard2.txt")) == 0, "link");
    CHECK(tvmaf_atomic_write(at("hard1.txt"), "x", 1, err, sizeof(err)) == -EMLINK,
          "hard-linked target accepted");
    CHECK(file_is(at("hard2.txt"), "shared") && strstr(err, "hard link"), "hard link: %s", err);

    /* a directory, a missing directory */
    CHECK(tvmaf_atomic_write(dir, "x", 1, err, sizeof(err)) == -EISDIR, "directory accepted");
    CHECK(tvmaf_atomic_write(at("no/such/dir.txt"), "x", 1, err, sizeof(err)) == -ENOENT,
          "missing directory: %s", err);

    /* a name using nearly all of NAME_MAX: the temporary has a short name */
    char longname[251];
    memset(longname, 'n', 250);
    longname[250] = 0;
    CHECK(tvmaf_atomic_write(at(longname), "long", 4, err, sizeof(err)) == 0, "250-char name: %s",
          err);
    CHECK(file_is(at(longname), "long"), "250-char name content");

    /* devices are written directly; a full one is an error */
    CHECK(tvmaf_atomic_write("/dev/null", "x", 1, err, sizeof(err)) == 0, "/dev/null: %s", err);
    char big[1 << 16];
    memset(big, 'x', sizeof(big));
    CHECK(tvmaf_atomic_write("/dev/full", big, sizeof(big), err, sizeof(err)) < 0,
          "/dev/full accepted");

    /* the registry has a bound, and a full registry is an error */
    TvmafAtomicFile many[TVMAF_ATOMIC_MAX_LIVE + 1];
    int opened = 0;
    for (int i = 0; i <= TVMAF_ATOMIC_MAX_LIVE; i++) {
        char name[32];
        snprintf(name, sizeof(name), "many%d", i);
        if (tvmaf_atomic_open(&many[i], at(name), err, sizeof(err)) == 0)
            opened++;
        else
            CHECK(i == TVMAF_ATOMIC_MAX_LIVE, "open %d failed: %s", i, err);
    }
    CHECK(opened == TVMAF_ATOMIC_MAX_LIVE, "%d temporaries open at once", opened);
    for (int i = 0; i < opened; i++)
        tvmaf_atomic_abort(&many[i]);
    CHECK(count_temporaries() == 0, "temporaries left after aborts");
    umask(mask);
}

/* The old writers used "NAME.tmp.PID" with fopen("w"): a link planted at
 * that name made them write wherever it pointed. A fixed name is as
 * predictable as it gets; creation must refuse it. */
static void test_planted_symlink(void)
{
    put_file(at("victim.txt"), "precious", 0644);
    CHECK(symlink(at("victim.txt"), at(".tvplanted")) == 0, "symlink");
    char tmpl[PATH_MAX];
    snprintf(tmpl, sizeof(tmpl), "%s", at(".tvplanted"));
    const int fd = tvmaf_tmpfile_create(tmpl);
    CHECK(fd == -EEXIST, "planted link opened (%d)", fd);
    if (fd >= 0)
        close(fd);
    CHECK(file_is(at("victim.txt"), "precious"), "victim overwritten");
    CHECK(symlink(at("victim.txt"), at(".tvdangle")) == 0, "symlink");
    unlink(at("victim.txt"));
    snprintf(tmpl, sizeof(tmpl), "%s", at(".tvdangle"));
    CHECK(tvmaf_tmpfile_create(tmpl) == -EEXIST, "dangling planted link followed");
    CHECK(access(at("victim.txt"), F_OK) != 0, "dangling planted link created its target");
    unlink(at(".tvplanted"));
    unlink(at(".tvdangle"));

    /* random names differ and are 0600 */
    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof(a), "%s", at(".tvXXXXXX"));
    snprintf(b, sizeof(b), "%s", at(".tvXXXXXX"));
    const int fa = tvmaf_tmpfile_create(a), fb = tvmaf_tmpfile_create(b);
    CHECK(fa >= 0 && fb >= 0 && strcmp(a, b), "two temporaries, two names");
    CHECK((mode_of(a) & 0177) == 0, "temporary readable by others: %o", (unsigned)mode_of(a));
    if (fa >= 0)
        close(fa);
    if (fb >= 0)
        close(fb);
    unlink(a);
    unlink(b);
}

/* Forks a writer that runs child(write end) and never returns; the parent
 * gets the pid and reads what the child reports into buf (0 bytes on error). */
static pid_t fork_writer(void (*const child)(int wfd), char *const buf, const size_t size,
                         ssize_t *const got)
{
    int fds[2];
    *got = 0;
    if (pipe(fds))
        return -1;
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(fds[1]);
        _exit(6);
    }
    close(fds[1]);
    *got = pid > 0 ? read(fds[0], buf, size) : 0;
    close(fds[0]);
    return pid;
}

static void sig_writer(const int wfd)
{
    char err[256];
    TvmafAtomicFile af;
    if (tvmaf_atomic_open(&af, at("sig.txt"), err, sizeof(err)) < 0)
        _exit(3);
    fputs("partial", af.f);
    fflush(af.f);
    const size_t n = strlen(af.tmp) + 1;
    if (write(wfd, af.tmp, n) != (ssize_t)n)
        _exit(4);
    for (;;)
        pause();
}

/* A writer killed mid-write leaves neither a temporary nor a changed target. */
static void test_signal_cleanup(const int sig)
{
    put_file(at("sig.txt"), "before", 0644);
    char tmp[PATH_MAX] = "";
    ssize_t got;
    const pid_t pid = fork_writer(sig_writer, tmp, sizeof(tmp) - 1, &got);
    if (pid < 0)
        return;
    CHECK(got > 0 && access(tmp, F_OK) == 0, "signal %d: no temporary while writing", sig);
    kill(pid, sig);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sig,
          "signal %d: the writer did not die by it (status %#x)", sig, status);
    CHECK(got > 0 && access(tmp, F_OK) != 0, "signal %d: temporary %s left behind", sig, tmp);
    CHECK(file_is(at("sig.txt"), "before"), "signal %d: target changed", sig);
    CHECK(count_temporaries() == 0, "signal %d: temporaries left", sig);
}

/* A process-directed signal usually lands on a thread other than the one
 * creating a temporary (that one blocks it while it creates): killed at
 * random moments while a thread opens and drops temporaries in a loop, the
 * process must never leave one behind. */
static void *open_abort_loop(void *const arg)
{
    const int ready = (int)(intptr_t)arg;
    char err[256];
    for (long i = 0;; i++) {
        TvmafAtomicFile af;
        if (tvmaf_atomic_open(&af, at("race.txt"), err, sizeof(err)) < 0)
            _exit(3);
        tvmaf_atomic_abort(&af);
        if (i == 0 && write(ready, "r", 1) != 1)
            _exit(4);
    }
    return NULL;
}

static void race_writer(const int wfd)
{
    pthread_t t;
    if (pthread_create(&t, NULL, open_abort_loop, (void *)(intptr_t)wfd))
        _exit(5);
    for (;;)
        pause();
}

static void test_signal_race(void)
{
    int left = 0, died = 0;
    const int rounds = 300;
    for (int round = 0; round < rounds; round++) {
        char c;
        ssize_t got;
        const pid_t pid = fork_writer(race_writer, &c, 1, &got);
        if (pid < 0)
            return;
        const int ok = got == 1;
        /* 0..~1 ms: lands anywhere in the open/abort cycle */
        const struct timespec ts = { 0, (round * 7919L) % 1000 * 1000L };
        nanosleep(&ts, NULL);
        kill(pid, SIGTERM);
        int status = 0;
        waitpid(pid, &status, 0);
        died += ok && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
        if (count_temporaries() != 0) {
            left++;
            char cmd[PATH_MAX + 32];
            snprintf(cmd, sizeof(cmd), "rm -f '%s'/.tv*", dir);
            if (system(cmd))
                fprintf(stderr, "could not remove the temporaries in %s\n", dir);
        }
    }
    CHECK(died == rounds, "signal race: %d of %d writers died by SIGTERM", died, rounds);
    CHECK(left == 0, "signal race: %d of %d killed writers left a temporary", left, rounds);
}

static void test_same_file(void)
{
    put_file(at("in.y4m"), "data", 0644);
    put_file(at("other.y4m"), "data", 0644);
    CHECK(link(at("in.y4m"), at("in_hard.y4m")) == 0, "link");
    CHECK(symlink("in.y4m", at("in_soft.y4m")) == 0, "symlink");
    CHECK(tvmaf_same_file(at("in.y4m"), at("in.y4m")), "same path");
    CHECK(tvmaf_same_file(at("in.y4m"), at("in_hard.y4m")), "hard link");
    CHECK(tvmaf_same_file(at("in.y4m"), at("in_soft.y4m")), "symbolic link");
    CHECK(!tvmaf_same_file(at("in.y4m"), at("other.y4m")), "different files");
    CHECK(!tvmaf_same_file(at("in.y4m"), at("absent.json")), "absent output");
    CHECK(!tvmaf_same_file("/dev/null", "/dev/null"), "devices are not clobbered inputs");
    CHECK(!tvmaf_same_file(NULL, at("in.y4m")), "NULL");

    /* tvmaf_outputs_clash(): an output on an input, two outputs on one file */
    char *const in = strdup(at("in.y4m")), *const hard = strdup(at("in_hard.y4m"));
    char *const o1 = strdup(at("o1.json")), *const o2 = strdup(at("o2.json"));
    const char *ins[] = { in, NULL }, *outs[] = { o1, NULL, o2 };
    char err[512] = "";
    CHECK(!tvmaf_outputs_clash(ins, 2, outs, 3, err, sizeof(err)) && !*err, "distinct outputs");
    outs[1] = hard;
    CHECK(tvmaf_outputs_clash(ins, 2, outs, 3, err, sizeof(err)) && strstr(err, "is the input"),
          "an output on a hard link of the input: %s", err);
    outs[1] = o1;
    CHECK(tvmaf_outputs_clash(ins, 2, outs, 3, err, sizeof(err)) && strstr(err, "are the same file"),
          "two outputs naming one file: %s", err);
    free(in);
    free(hard);
    free(o1);
    free(o2);
}

static void test_escape(void)
{
    char b[256];
    size_t n = tvmaf_json_quote(b, sizeof(b), "a\"b\\c\n\x01\t");
    CHECK(!strcmp(b, "\"a\\\"b\\\\c\\n\\u0001\\t\"") && n == strlen(b), "json: %s", b);
    tvmaf_json_quote(b, sizeof(b), "caf\xc3\xa9 \xff\xc3 \xed\xa0\x80 \xf0\x9f\x98\x80");
    CHECK(!strcmp(b, "\"caf\xc3\xa9 \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \xf0\x9f\x98\x80\""),
          "json utf-8: %s", b);
    n = tvmaf_json_quote(b, 5, "abcdef");
    CHECK(n == 8 && !strcmp(b, "\"abc"), "json truncation: %zu %s", n, b);
    CHECK(tvmaf_json_quote(NULL, 0, "x") == 3, "json length only");

    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    tvmaf_xml_put_attr(f, "a\"b<c>&'d\n\x02");
    fputc('|', f);
    tvmaf_csv_put_field(f, "plain");
    fputc('|', f);
    tvmaf_csv_put_field(f, "a,\"b\"");
    fputc('|', f);
    tvmaf_csv_put_field(f, " padded");
    fputc('|', f);
    tvmaf_json_put(f, "k\"");
    fclose(f);
    CHECK(mem && !strcmp(mem, "a&quot;b&lt;c&gt;&amp;&apos;d&#10;&#xFFFD;|plain|\"a,\"\"b\"\"\"|"
                              "\" padded\"|\"k\\\"\""),
          "xml/csv/json to a stream: %s", mem);
    free(mem);

    CHECK(tvmaf_xml_is_name("vmaf_v0.6.1") && tvmaf_xml_is_name("_x-1"), "xml names");
    CHECK(!tvmaf_xml_is_name("a\"b") && !tvmaf_xml_is_name("1a") && !tvmaf_xml_is_name("") &&
              !tvmaf_xml_is_name("a b") && !tvmaf_xml_is_name("a:b"),
          "bad xml names accepted");

    tvmaf_escape_text(b, sizeof(b), "C4\x1b[31mred\"", 32);
    CHECK(!strcmp(b, "C4\\x1b[31mred\\\""), "escape_text: %s", b);
    tvmaf_escape_text(b, sizeof(b), "0123456789", 4);
    CHECK(!strcmp(b, "0123..."), "escape_text cut: %s", b);
    tvmaf_escape_text(b, 8, "\x01\x02\x03", 32);
    CHECK(!strcmp(b, "\\x01..."), "escape_text small buffer: %s", b);
}

static int csv_fields(TvmafCsv *const c, const char *const want)
{
    char err[128], got[512] = "";
    char **f;
    const int n = tvmaf_csv_next(c, &f, err, sizeof(err));
    for (int i = 0; i < n; i++) {
        strcat(got, f[i]);
        strcat(got, i + 1 < n ? "|" : "");
    }
    if (n < 0)
        snprintf(got, sizeof(got), "error %d: %s", n, err);
    if (strcmp(got, want))
        fprintf(stderr, "csv: got [%s], want [%s]\n", got, want);
    return !strcmp(got, want);
}

static void test_csv(void)
{
    char err[256];
    TvmafCsv c;
    FILE *f = fopen(at("t.csv"), "wb");
    fputs("\xef\xbb\xbf" "a,\"b,c\",d\r\n\r\n  \n\"q\"\"q\",\"multi\nline\", x \n1,2,3", f);
    fclose(f);
    CHECK(tvmaf_csv_load(&c, at("t.csv"), 1 << 20, err, sizeof(err)) == 0, "%s", err);
    CHECK(csv_fields(&c, "a|b,c|d") && c.line == 1, "header");
    CHECK(csv_fields(&c, "q\"q|multi\nline| x ") && c.line == 4, "quoted record, line %zu", c.line);
    CHECK(csv_fields(&c, "1|2|3") && c.line == 6, "last line without newline, line %zu", c.line);
    CHECK(csv_fields(&c, ""), "end");
    tvmaf_csv_free(&c);
    tvmaf_csv_free(NULL);

    static const char *const bad[] = { "a,\"b\n", "a,\"b\"x\n", "a,b\0c\n" };
    static const size_t bad_len[] = { 5, 7, 6 };
    for (int i = 0; i < 3; i++) {
        f = fopen(at("bad.csv"), "wb");
        fwrite(bad[i], 1, bad_len[i], f);
        fclose(f);
        CHECK(tvmaf_csv_load(&c, at("bad.csv"), 1 << 20, err, sizeof(err)) == 0, "%s", err);
        char **fl;
        CHECK(tvmaf_csv_next(&c, &fl, err, sizeof(err)) == -EBADMSG, "bad csv %d accepted", i);
        tvmaf_csv_free(&c);
    }
    f = fopen(at("wide.csv"), "wb");
    for (int i = 0; i <= TVMAF_CSV_MAX_FIELDS; i++)
        fputs(i ? ",x" : "x", f);
    fclose(f);
    CHECK(tvmaf_csv_load(&c, at("wide.csv"), 1 << 20, err, sizeof(err)) == 0, "%s", err);
    char **wf;
    CHECK(tvmaf_csv_next(&c, &wf, err, sizeof(err)) == -EBADMSG, "too many fields accepted");
    tvmaf_csv_free(&c);

    /* errors are errors, never an early end of the table */
    CHECK(tvmaf_csv_load(&c, at("absent.csv"), 1 << 20, err, sizeof(err)) == -ENOENT, "absent");
    CHECK(tvmaf_csv_load(&c, dir, 1 << 20, err, sizeof(err)) == -EISDIR, "directory");
    CHECK(tvmaf_csv_load(&c, "/proc/self/mem", 1 << 20, err, sizeof(err)) == -EIO,
          "a read error (EIO) read as end of file: %s", err);
    CHECK(tvmaf_csv_load(&c, "/dev/zero", 1 << 20, err, sizeof(err)) == -EFBIG, "endless input");
    CHECK(c.buf == NULL && c.len == 0, "failed load left data");
#if !defined(__SANITIZE_ADDRESS__)
    /* Out of memory while reading is an error too (a child with a small
     * address space reads an endless file). */
    const pid_t pid = fork();
    if (pid == 0) {
        const struct rlimit lim = { 256 << 20, 256 << 20 };
        setrlimit(RLIMIT_AS, &lim);
        TvmafCsv oom;
        char e[128];
        _exit(tvmaf_csv_load(&oom, "/dev/zero", (size_t)1 << 40, e, sizeof(e)) == -ENOMEM ? 0 : 1);
    }
    int status = 1;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "ENOMEM while reading not reported");
#endif
}

/* A write to stdout that fails at exit makes the exit status 1. */
static void test_stdout_guard(void)
{
    int errp[2];
    fflush(stdout);
    if (pipe(errp))
        return;
    const pid_t pid = fork();
    if (pid == 0) {
        close(errp[0]);
        dup2(errp[1], STDERR_FILENO);
        const int full = open("/dev/full", O_WRONLY);
        dup2(full, STDOUT_FILENO);
        tvmaf_stdout_guard("unit");
        printf("a line that only the exit-time flush writes\n");
        exit(0);
    }
    close(errp[1]);
    char msg[512] = "";
    const ssize_t n = read(errp[0], msg, sizeof(msg) - 1);
    msg[n > 0 ? n : 0] = 0;
    close(errp[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1, "exit status %#x", status);
    CHECK(!strncmp(msg, "unit: writing to stdout failed", 30) && strchr(msg, '\n') == msg + n - 1,
          "one line expected, got [%s]", msg);
}

int main(void)
{
    /* The writer leaves an ignored signal ignored (nohup); a test run started
     * under nohup would then wait forever for a SIGHUP'd writer to die. The
     * signal tests need the default dispositions, so set them first. */
    static const struct sigaction dfl = { .sa_handler = SIG_DFL };
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGHUP, &dfl, NULL);
    const char *const base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof(dir), "%s/tvmaf_util_XXXXXX", base);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_atomic();
    test_planted_symlink();
    test_signal_cleanup(SIGTERM);
    test_signal_cleanup(SIGINT);
    test_signal_cleanup(SIGHUP);
    test_signal_race();
    test_same_file();
    test_escape();
    test_csv();
    test_stdout_guard();
    if (!fails) {
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd))
            fprintf(stderr, "could not remove %s\n", dir);
    }
    printf("%s\n", fails ? "FAILED" : "ok");
    return fails ? 1 : 0;
}
