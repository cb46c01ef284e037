#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

static const char *volatile guard_prog = "tinyvmaf";
static atomic_int guard_registered;
static atomic_int failure_reported;

static void report(const int e)
{
    if (!atomic_exchange(&failure_reported, 1))
        fprintf(stderr, "%s: writing to stdout failed: %s\n", guard_prog,
                strerror(e ? e : EIO));
}

void tvmaf_stdout_failure_reported(void)
{
    atomic_store(&failure_reported, 1);
}

int tvmaf_stdout_flush(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    report(errno);
    return -1;
}

/* As gnulib's close_stdout: the last buffered bytes are only written by
 * the implicit flush at exit, whose failure nobody else would see. */
static void close_stdout_at_exit(void)
{
    const int had_error = atomic_load(&failure_reported) || ferror(stdout);
    errno = 0;
    const int flush_failed = fflush(stdout) != 0;
    const int flush_errno = errno;
    errno = 0;
    const int close_failed = fclose(stdout) != 0 && errno != EBADF;
    if (had_error || flush_failed || close_failed) {
        report(flush_failed ? flush_errno : errno);
        fflush(stderr);
        _exit(EXIT_FAILURE);
    }
}

void tvmaf_stdout_guard(const char *const prog)
{
    if (prog)
        guard_prog = prog;
    if (!atomic_exchange(&guard_registered, 1))
        atexit(close_stdout_at_exit);
}
