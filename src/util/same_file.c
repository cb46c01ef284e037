#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

static int regular_stat(const char *const path, const int dash_fd, struct stat *const st)
{
    const int r = strcmp(path, "-") ? stat(path, st) : fstat(dash_fd, st);
    return r == 0 && S_ISREG(st->st_mode);
}

int tvmaf_same_file(const char *const in, const char *const out)
{
    struct stat a, b;
    if (!in || !out || !regular_stat(in, STDIN_FILENO, &a) || !regular_stat(out, STDOUT_FILENO, &b))
        return 0;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
