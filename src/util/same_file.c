#include <stdio.h>
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

int tvmaf_outputs_clash(const char *const *const in, const int n_in,
                        const char *const *const out, const int n_out, char *const err,
                        const size_t errlen)
{
    for (int o = 0; o < n_out; o++) {
        if (!out[o])
            continue;
        for (int i = 0; i < n_in; i++)
            if (in[i] && (!strcmp(in[i], out[o]) || tvmaf_same_file(in[i], out[o]))) {
                snprintf(err, errlen, "output %s is the input %s; write it elsewhere", out[o],
                         in[i]);
                return 1;
            }
        for (int p = 0; p < o; p++)
            if (out[p] && (!strcmp(out[p], out[o]) || tvmaf_same_file(out[p], out[o]))) {
                snprintf(err, errlen, "outputs %s and %s are the same file", out[p], out[o]);
                return 1;
            }
    }
    return 0;
}
