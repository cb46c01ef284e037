#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "model/tiny/tiny_file.h"
#include "model/tiny/tiny_graph.h"

int tvmaf_tiny_path_inside(const char *const real, const char *const dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 1 && dir[0] == '/')
        return real[0] == '/';
    return !strncmp(real, dir, n) && (real[n] == '/' || real[n] == '\0');
}

int tvmaf_tiny_read_file(const char *const path, const size_t max, uint8_t **const buf,
                         size_t *const len, const TvmafLogger *const log)
{
    *buf = NULL;
    *len = 0;
    /* O_NONBLOCK: a FIFO planted as a model file must not hang the open;
     * O_NOFOLLOW: callers pass canonical paths, so a link here is a race. */
    const int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) {
        const int e = errno;
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: %s", path, e == ELOOP ? "is a symbolic link" : strerror(e));
        return TVMAF_ERR(e == ENOENT ? ENOENT : e == EACCES ? EACCES : EIO);
    }
    int err = 0;
    struct stat st;
    uint8_t *b = NULL;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: not a regular file", path);
        err = TVMAF_ERR(EIO);
        goto end;
    }
    if ((uint64_t)st.st_size > max) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: %lld bytes, more than the %zu allowed", path,
                  (long long)st.st_size, max);
        err = TVMAF_ERR(ENOTSUP);
        goto end;
    }
    const size_t size = (size_t)st.st_size;
    b = malloc(size + 1);
    if (!b) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: out of memory", path);
        err = TVMAF_ERR(ENOMEM);
        goto end;
    }
    size_t done = 0;
    while (done < size) {
        const ssize_t r = read(fd, b + done, size - done);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0)
            break;
        done += r;
    }
    if (done != size) {
        tvmaf_log(log, TVMAF_LOG_ERROR, "%s: short read", path);
        err = TVMAF_ERR(EIO);
        goto end;
    }
    b[size] = 0; /* lets JSON callers treat it as a string */
    *buf = b;
    *len = size;
    b = NULL;
end:
    free(b);
    close(fd);
    return err;
}
