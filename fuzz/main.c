/*
 * Standalone replay driver for the fuzz targets: feeds every file named on
 * the command line (directories: every file in them) to
 * LLVMFuzzerTestOneInput() once. Used as an ordinary test when
 * fuzzing_engine=none, so the corpus and every past crasher run under gcc
 * and the sanitizer builds.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *const f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            fprintf(stderr, "replay: out of memory\n");
            return 1;
        }
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        uint8_t *const nb = realloc(buf, cap *= 2);
        if (!nb)
            free(buf);
        buf = nb;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}


int main(int argc, char **argv)
{
    unsigned n = 0;
    int err = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st)) {
            fprintf(stderr, "replay: %s not found\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            err |= replay_file(argv[i]);
            n++;
            continue;
        }
        struct dirent **list;
        const int cnt = scandir(argv[i], &list, NULL, alphasort);
        if (cnt < 0) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 1;
        }
        for (int j = 0; j < cnt; j++) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", argv[i], list[j]->d_name);
            if (list[j]->d_name[0] != '.' && !stat(path, &st) && S_ISREG(st.st_mode)) {
                err |= replay_file(path);
                n++;
            }
            free(list[j]);
        }
        free(list);
    }
    printf("replayed %u inputs\n", n);
    return err || !n;
}
