/*
 * SpEED chroma on raw planar YUV, for tests/golden/test_speed_chroma.py:
 *
 *   speed_dump REF.yuv DIS.yuv W H LAYOUT BPC [cpumask=N] [time=N] [OPTION=VALUE ...]
 *
 * LAYOUT is 420, 422 or 444; planes are ceil-sized, samples above 8 bits
 * 16-bit little-endian (the test strips a Y4M's headers into this form).
 * OPTIONs are libvmaf's speed_chroma option names. cpumask= clears
 * TVMAF_CPU_FLAG_* bits as --cpumask does. Prints the three printed keys
 * ("K u|v|uv KEY"), then "F <frame> <u> <v> <uv>" with %.17g per frame, and
 * with time=N (N >= 1) each frame scored N times and the thread CPU time of
 * all of them, per scored frame ("T <seconds per frame>"). Exit 0, 1 on
 * error, 2 on usage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu.h"
#include "feature/speed.h"

static int read_frame(FILE *const f, uint8_t *const buf, const size_t n)
{
    const size_t got = fread(buf, 1, n, f);
    if (got == 0 && feof(f))
        return 0;
    return got == n ? 1 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: speed_dump REF DIS W H 420|422|444 BPC [cpumask=N] [time=1] "
                        "[OPTION=VALUE ...]\n");
        return 2;
    }
    const int w = atoi(argv[3]), h = atoi(argv[4]), lay = atoi(argv[5]), bpc = atoi(argv[6]);
    enum TvmafPixelLayout layout;
    int cw = w, ch = h;
    if (lay == 420) {
        layout = TVMAF_PIX_LAYOUT_420;
        cw = (w + 1) / 2;
        ch = (h + 1) / 2;
    } else if (lay == 422) {
        layout = TVMAF_PIX_LAYOUT_422;
        cw = (w + 1) / 2;
    } else if (lay == 444) {
        layout = TVMAF_PIX_LAYOUT_444;
    } else {
        fprintf(stderr, "bad layout %s\n", argv[5]);
        return 2;
    }
    TvmafSpeedChromaOptions o;
    tvmaf_option_defaults(tvmaf_speed_chroma_options, &o);
    unsigned mask = 0;
    int timing = 0;
    for (int i = 7; i < argc; i++) {
        char name[64];
        const char *const eq = strchr(argv[i], '=');
        if (!eq || (size_t)(eq - argv[i]) >= sizeof(name)) {
            fprintf(stderr, "bad argument %s\n", argv[i]);
            return 2;
        }
        memcpy(name, argv[i], (size_t)(eq - argv[i]));
        name[eq - argv[i]] = 0;
        if (!strcmp(name, "cpumask")) {
            mask = (unsigned)strtoul(eq + 1, NULL, 10);
            continue;
        }
        if (!strcmp(name, "time")) {
            timing = atoi(eq + 1);
            continue;
        }
        char err[160];
        const TvmafOption *const opt = tvmaf_option_find(tvmaf_speed_chroma_options, name);
        if (!opt || tvmaf_option_parse(opt, &o, eq + 1, err, sizeof(err))) {
            fprintf(stderr, "%s\n", opt ? err : "unknown option");
            return 2;
        }
    }
    TvmafSpeedChroma *s;
    if (tvmaf_speed_chroma_init(&s, w, h, bpc, layout, &o, tvmaf_cpu_flags_usable(mask))) {
        fprintf(stderr, "init refused\n");
        return 1;
    }
    for (int k = 0; k < 3; k++) {
        char key[256];
        if (tvmaf_option_key(tvmaf_speed_chroma_options, &o, tvmaf_speed_chroma_names[k], key,
                             sizeof(key)))
            return 1;
        printf("K %s %s\n", k == 0 ? "u" : k == 1 ? "v" : "uv", key);
    }

    const size_t bps = bpc > 8 ? 2 : 1;
    const size_t ysz = (size_t)w * h * bps, csz = (size_t)cw * ch * bps;
    FILE *const fr = fopen(argv[1], "rb"), *const fd = fopen(argv[2], "rb");
    uint8_t *const br = malloc(ysz + 2 * csz + 64), *const bd = malloc(ysz + 2 * csz + 64);
    if (!fr || !fd || !br || !bd) {
        fprintf(stderr, "cannot open inputs\n");
        return 1;
    }
    double secs = 0;
    long scored = 0;
    int rc = 0;
    for (int frame = 0;; frame++) {
        const int a = read_frame(fr, br, ysz + 2 * csz), b = read_frame(fd, bd, ysz + 2 * csz);
        if (a == 0 && b == 0)
            break;
        if (a != 1 || b != 1) {
            fprintf(stderr, "short frame %d\n", frame);
            rc = 1;
            break;
        }
        TvmafPlane pr[3], pd[3];
        for (int p = 0; p < 3; p++) {
            const size_t off = p == 0 ? 0 : ysz + (size_t)(p - 1) * csz;
            const int pw = p ? cw : w, ph = p ? ch : h;
            pr[p] = (TvmafPlane){ br + off, (ptrdiff_t)(pw * bps), pw, ph, bpc };
            pd[p] = (TvmafPlane){ bd + off, (ptrdiff_t)(pw * bps), pw, ph, bpc };
        }
        double out[3];
        struct timespec t0, t1;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
        int err = 0;
        for (int r = 0; r < (timing > 1 ? timing : 1) && !err; r++)
            err = tvmaf_speed_chroma_compute(s, pr, pd, out);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
        secs += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        scored += timing > 1 ? timing : 1;
        if (err) {
            fprintf(stderr, "compute failed on frame %d: %d\n", frame, err);
            rc = 1;
            break;
        }
        printf("F %d %.17g %.17g %.17g\n", frame, out[0], out[1], out[2]);
    }
    if (timing && scored)
        printf("T %.9f\n", secs / (double)scored);
    tvmaf_speed_chroma_free(&s);
    fclose(fr);
    fclose(fd);
    free(br);
    free(bd);
    return rc;
}
