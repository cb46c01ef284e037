#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

/* The signal handler reads the registry, so its state words must be
 * lock-free atomics (C11 7.14.1.1: only those are safe in a handler). */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the temp-file registry needs lock-free int atomics");

/* FILLING: the name is being written and no file of ours has it yet.
 * CREATING: the name is whole and its open() may have created the file. */
enum { SLOT_FREE, SLOT_FILLING, SLOT_CREATING, SLOT_LIVE };
static atomic_int slot_state[TVMAF_ATOMIC_MAX_LIVE];
/* The signal a handler has seen, for a thread that was creating a
 * temporary meanwhile: that thread removes its file and re-raises. */
static atomic_int dying_signal;
/* Inline storage: the handler must never see a path that is being freed. */
static char slot_path[TVMAF_ATOMIC_MAX_LIVE][PATH_MAX];

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define N_CLEANUP_SIGNALS ((int)(sizeof(cleanup_signals) / sizeof(cleanup_signals[0])))

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static mode_t process_umask;

/* Default action again, then re-raise: the signal ends the process with the
 * status the sender expects as soon as this thread's mask lets it through
 * (in the handler, once it returns). */
static void die_by(const int sig)
{
    static const struct sigaction dfl = { .sa_handler = SIG_DFL };
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

static void on_signal(const int sig)
{
    const int saved = errno;
    /* A process-directed signal runs this on any thread, also while another
     * one is inside open() for a temporary (its own mask blocks the signal
     * there). The store of dying_signal before the scan, and the creator's
     * store of LIVE before it reads dying_signal (both sequentially
     * consistent), mean one of the two always sees the other: either this
     * scan finds the file LIVE, or the creator finds the signal and finishes
     * the job itself. The creator also reads dying_signal after publishing
     * CREATING and before its open(), so no temporary is made after a scan
     * that did not see it coming. */
    atomic_store(&dying_signal, sig);
    int creating = 0;
    for (int i = 0; i < TVMAF_ATOMIC_MAX_LIVE; i++) {
        const int state = atomic_load(&slot_state[i]);
        if (state == SLOT_LIVE)
            unlink(slot_path[i]);
        else if (state == SLOT_CREATING)
            creating = 1;
    }
    if (!creating)
        die_by(sig);
    errno = saved;
}

static void init(void)
{
    /* umask cannot be read without setting it; do that once, before any
     * file is created through us, rather than around every open. */
    process_umask = umask(0);
    umask(process_umask);

    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < N_CLEANUP_SIGNALS; i++)
        sigaddset(&sa.sa_mask, cleanup_signals[i]);
    for (int i = 0; i < N_CLEANUP_SIGNALS; i++) {
        struct sigaction old;
        /* An application's own handler, or SIG_IGN (nohup), stays. */
        if (sigaction(cleanup_signals[i], NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
            old.sa_handler == SIG_DFL)
            sigaction(cleanup_signals[i], &sa, NULL);
    }
}

static int registry_reserve(void)
{
    for (int i = 0; i < TVMAF_ATOMIC_MAX_LIVE; i++) {
        int expect = SLOT_FREE;
        if (atomic_compare_exchange_strong(&slot_state[i], &expect, SLOT_FILLING))
            return i;
    }
    return -EMFILE;
}

static void registry_remove(const int slot)
{
    if (slot >= 0)
        atomic_store(&slot_state[slot], SLOT_FREE);
}

static void fill_random(uint8_t *const buf, const size_t n)
{
    if (getrandom(buf, n, GRND_NONBLOCK) == (ssize_t)n)
        return;
    /* No entropy yet (early boot): the name needs to be unlikely, not
     * secret, since O_EXCL makes a collision a retry, never a hijack. */
    static atomic_uint_fast64_t counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^
                 ((uint64_t)getpid() << 40) ^ atomic_fetch_add(&counter, 0x9e3779b97f4a7c15ull);
    for (size_t i = 0; i < n; i++) {
        x += 0x9e3779b97f4a7c15ull; /* splitmix64 */
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        buf[i] = (uint8_t)(z ^ (z >> 31));
    }
}

/* slot >= 0: each candidate name is published in that registry slot
 * (CREATING) before its open(), and the slot is LIVE once the file exists. */
static int tmpfile_create(char *const tmpl, const int slot)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const size_t n = strlen(tmpl);
    if (slot >= 0 && n >= PATH_MAX)
        return -ENAMETOOLONG;
    size_t nx = 0;
    while (nx < n && nx < 16 && tmpl[n - 1 - nx] == 'X')
        nx++;
    for (int attempt = 0; attempt < 100; attempt++) {
        uint8_t rnd[16];
        fill_random(rnd, nx);
        for (size_t i = 0; i < nx; i++)
            tmpl[n - nx + i] = chars[rnd[i] % (sizeof(chars) - 1)];
        if (slot >= 0) {
            memcpy(slot_path[slot], tmpl, n + 1);
            atomic_store(&slot_state[slot], SLOT_CREATING);
            /* Once a handler has run, no new file: the thread that ran it
             * may end the process before this one could remove it. */
            if (atomic_load(&dying_signal)) {
                atomic_store(&slot_state[slot], SLOT_FILLING);
                return -EINTR;
            }
        }
        const int fd = open(tmpl, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        const int e = errno;
        if (slot >= 0)
            atomic_store(&slot_state[slot], fd >= 0 ? SLOT_LIVE : SLOT_FILLING);
        if (fd >= 0)
            return fd;
        if (e != EEXIST || !nx)
            return -e;
    }
    return -EEXIST;
}

int tvmaf_tmpfile_create(char *const tmpl)
{
    return tmpfile_create(tmpl, -1);
}

static void release(TvmafAtomicFile *const af)
{
    free(af->target);
    free(af->tmp);
    memset(af, 0, sizeof(*af));
    af->slot = -1;
}

static int fail(TvmafAtomicFile *const af, const int e, char *const err, const size_t errlen,
                const char *const what)
{
    snprintf(err, errlen, "%s: %s", what, strerror(e));
    release(af);
    return -e;
}

/* Names of open descriptors: /dev/stdout with stdout redirected to a
 * regular file resolves to that file, and replacing it would throw away
 * what the shell appended there before; such names are written directly. */
static int is_pseudo_path(const char *const path)
{
    return !strncmp(path, "/proc/", 6) || !strncmp(path, "/dev/fd/", 8) ||
           !strcmp(path, "/dev/stdout") || !strcmp(path, "/dev/stderr");
}

static int open_direct(TvmafAtomicFile *const af, const char *const path, char *const err,
                       const size_t errlen)
{
    /* O_APPEND: a regular file reached through /dev/stdout is extended,
     * never overwritten from its start; FIFOs and devices ignore it. */
    const int fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return fail(af, errno, err, errlen, "cannot open for writing");
    af->f = fdopen(fd, "a");
    if (!af->f) {
        const int e = errno;
        close(fd);
        return fail(af, e, err, errlen, "cannot open for writing");
    }
    af->direct = 1;
    return 0;
}

int tvmaf_atomic_open(TvmafAtomicFile *const af, const char *const path, char *const err,
                      const size_t errlen)
{
    memset(af, 0, sizeof(*af));
    af->slot = -1;
    if (!strcmp(path, "-")) {
        af->f = stdout;
        af->direct = 1;
        return 0;
    }
    pthread_once(&init_once, init);

    struct stat st, lst;
    const int is_link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return fail(af, EISDIR, err, errlen, "cannot write");
        if (!S_ISREG(st.st_mode) || is_pseudo_path(path))
            return open_direct(af, path, err, errlen);
        if (st.st_nlink > 1) {
            snprintf(err, errlen, "has %ju hard links; replacing it would leave the others on "
                     "the old data (write elsewhere or remove the other links)",
                     (uintmax_t)st.st_nlink);
            release(af);
            return -EMLINK;
        }
        af->existed = 1;
        af->mode = st.st_mode & 07777;
        af->uid = st.st_uid;
        af->gid = st.st_gid;
    } else if (errno == ENOENT) {
        if (is_link) {
            snprintf(err, errlen, "is a symbolic link to a missing file");
            release(af);
            return -ENOENT;
        }
        if (is_pseudo_path(path))
            return open_direct(af, path, err, errlen);
        af->mode = 0666 & ~process_umask;
    } else {
        return fail(af, errno, err, errlen, "cannot access");
    }

    /* Through a link, the file it names is replaced and the link kept. */
    af->target = is_link ? realpath(path, NULL) : strdup(path);
    if (!af->target)
        return fail(af, is_link ? errno : ENOMEM, err, errlen, "cannot resolve the link");
    const char *const slash = strrchr(af->target, '/');
    const size_t dir_len = slash ? (size_t)(slash - af->target) + 1 : 0;
    static const char name[] = ".tvXXXXXX";
    af->tmp = malloc(dir_len + sizeof(name));
    if (!af->tmp)
        return fail(af, ENOMEM, err, errlen, "cannot write");
    memcpy(af->tmp, af->target, dir_len);
    memcpy(af->tmp + dir_len, name, sizeof(name));

    /* Created with the cleanup signals blocked on this thread, so a handler
     * runs elsewhere or after; one that ran meanwhile left dying_signal set
     * (on_signal says how the two sides meet). */
    sigset_t block, old;
    sigemptyset(&block);
    for (int i = 0; i < N_CLEANUP_SIGNALS; i++)
        sigaddset(&block, cleanup_signals[i]);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int fd = -EMFILE;
    if ((af->slot = registry_reserve()) >= 0)
        fd = tmpfile_create(af->tmp, af->slot);
    const int sig = atomic_load(&dying_signal);
    if (sig && fd >= 0) {
        close(fd);
        unlink(af->tmp);
        fd = -EINTR;
    }
    if (fd < 0)
        registry_remove(af->slot);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (sig)
        die_by(sig); /* returns only where the caller's own mask blocks it */
    if (fd < 0)
        return fail(af, -fd, err, errlen, fd == -EMFILE ? "too many files being written"
                                                       : "cannot create a temporary file beside it");
    af->f = fdopen(fd, "w");
    if (!af->f) {
        const int e = errno;
        close(fd);
        unlink(af->tmp);
        registry_remove(af->slot);
        return fail(af, e, err, errlen, "cannot write");
    }
    return 0;
}

void tvmaf_atomic_abort(TvmafAtomicFile *const af)
{
    if (!af)
        return;
    if (af->f && af->f != stdout)
        fclose(af->f);
    if (af->tmp) {
        unlink(af->tmp);
        registry_remove(af->slot);
    }
    release(af);
}

static void sync_dir(const char *const target)
{
    const char *const slash = strrchr(target, '/');
    char *const dir = slash ? strndup(target, slash == target ? 1 : (size_t)(slash - target))
                            : strdup(".");
    if (!dir)
        return;
    const int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd); /* best effort: the rename is already visible */
        close(fd);
    }
    free(dir);
}

int tvmaf_atomic_commit(TvmafAtomicFile *const af, char *const err, const size_t errlen)
{
    if (!af->f) {
        snprintf(err, errlen, "nothing open to commit");
        release(af);
        return -EINVAL;
    }
    errno = 0;
    int e = fflush(af->f) || ferror(af->f) ? (errno ? errno : EIO) : 0;
    if (af->direct) {
        if (af->f == stdout && e)
            tvmaf_stdout_failure_reported();
        if (af->f != stdout && fclose(af->f) && !e)
            e = errno;
        af->f = NULL;
        if (e)
            return fail(af, e, err, errlen, "write failed");
        release(af);
        return 0;
    }
    const int fd = fileno(af->f);
    /* EINVAL: a file system without fsync; the data is as safe as it gets. */
    if (!e && fsync(fd) && errno != EINVAL)
        e = errno;
    /* chown first: it clears set-id bits that fchmod then restores. */
    if (!e && af->existed && (af->uid != geteuid() || af->gid != getegid())) {
        /* May be refused (not root, not in the group): then the new file
         * keeps our ownership, which is what a fresh file would get. */
        const int refused = fchown(fd, af->uid, af->gid);
        (void)refused;
    }
    if (!e && fchmod(fd, af->mode))
        e = errno;
    if (fclose(af->f) && !e)
        e = errno;
    af->f = NULL;
    if (!e && rename(af->tmp, af->target))
        e = errno;
    if (e) {
        unlink(af->tmp);
        registry_remove(af->slot);
        return fail(af, e, err, errlen, "write failed");
    }
    registry_remove(af->slot);
    sync_dir(af->target);
    release(af);
    return 0;
}

int tvmaf_atomic_write(const char *const path, const void *const data, const size_t len,
                       char *const err, const size_t errlen)
{
    TvmafAtomicFile af;
    int ret = tvmaf_atomic_open(&af, path, err, errlen);
    if (ret < 0)
        return ret;
    if (len && fwrite(data, 1, len, af.f) != len) {
        const int e = errno ? errno : EIO;
        if (af.f == stdout)
            tvmaf_stdout_failure_reported();
        tvmaf_atomic_abort(&af);
        snprintf(err, errlen, "write failed: %s", strerror(e));
        return -e;
    }
    return tvmaf_atomic_commit(&af, err, errlen);
}
