#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "score_pair.h"

static int die_input(const char *path, const char *msg)
{
    fprintf(stderr, "tinyvmaf: %s: %s\n", path, msg);
    return -1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Resident size now (getrusage's peak would include the parent's before exec). */
static uint64_t resident_bytes(void)
{
    unsigned long long size, resident;
    FILE *const f = fopen("/proc/self/statm", "r");
    const int ok = f && fscanf(f, "%llu %llu", &size, &resident) == 2;
    if (f)
        fclose(f);
    const long page = sysconf(_SC_PAGE_SIZE);
    return ok && page > 0 ? resident * (uint64_t)page : 0;
}

static const char *layout_name(enum TvmafPixelLayout l)
{
    switch (l) {
    case TVMAF_PIX_LAYOUT_400: return "4:0:0";
    case TVMAF_PIX_LAYOUT_420: return "4:2:0";
    case TVMAF_PIX_LAYOUT_422: return "4:2:2";
    default: return "4:4:4";
    }
}

static int skip_frames(TvmafInput *in, const char *path, unsigned n)
{
    char err[256];
    for (unsigned i = 0; i < n; i++) {
        const int r = tvmaf_input_skip(in, err, sizeof(err));
        if (r < 0)
            return die_input(path, err);
        if (r == 0) {
            fprintf(stderr, "tinyvmaf: %s: has only %u frames, cannot skip %u\n", path, i, n);
            return -1;
        }
    }
    return 0;
}

static int check_inputs(const CliOptions *o, const TvmafInputInfo *ri, const TvmafInputInfo *di)
{
    if (ri->w != di->w || ri->h != di->h) {
        fprintf(stderr, "tinyvmaf: %s: size %dx%d differs from the reference's %dx%d (%s); "
                "--scale resizes it\n", o->dis_path, di->w, di->h, ri->w, ri->h, o->ref_path);
        return -1;
    }
    if (ri->layout != di->layout) {
        fprintf(stderr, "tinyvmaf: %s: chroma %s differs from the reference's %s (%s)\n",
                o->dis_path, layout_name(di->layout), layout_name(ri->layout), o->ref_path);
        return -1;
    }
    if (ri->bpc != di->bpc) {
        fprintf(stderr, "tinyvmaf: %s: bit depth %d differs from the reference's %d (%s)\n",
                o->dis_path, di->bpc, ri->bpc, o->ref_path);
        return -1;
    }
    if (ri->w < TVMAF_PICTURE_MIN_DIM || ri->h < TVMAF_PICTURE_MIN_DIM) {
        fprintf(stderr, "tinyvmaf: %s: %dx%d is below the %dx%d minimum size\n", o->ref_path,
                ri->w, ri->h, TVMAF_PICTURE_MIN_DIM, TVMAF_PICTURE_MIN_DIM);
        return -1;
    }
    return 0;
}

/* Sends every frame pair; returns the count, or 0 after an error line. */
static unsigned send_frames(const CliOptions *o, TvmafInput *ref_in, TvmafInput *dis_in,
                            TvmafScorer *sc)
{
    char err[256];
    unsigned n = 0;
    for (;;) {
        if (o->frame_cnt && n == o->frame_cnt)
            break;
        TvmafPicture ref = { 0 }, dis = { 0 };
        const int rr = tvmaf_input_read(ref_in, &ref, err, sizeof(err));
        if (rr < 0) {
            die_input(o->ref_path, err);
            return 0;
        }
        const int rd = tvmaf_input_read(dis_in, &dis, err, sizeof(err));
        if (rd < 0) {
            tvmaf_picture_unref(&ref);
            die_input(o->dis_path, err);
            return 0;
        }
        if (!rr || !rd) {
            tvmaf_picture_unref(&ref);
            tvmaf_picture_unref(&dis);
            if (rr != rd && !o->quiet)
                fprintf(stderr, "tinyvmaf: warning: \"%s\" ended before \"%s\"; scored %u frames\n",
                        rr ? o->dis_path : o->ref_path, rr ? o->ref_path : o->dis_path, n);
            if (!n)
                fprintf(stderr, "tinyvmaf: %s: no frames to score\n", o->ref_path);
            return n;
        }
        if (tvmaf_scorer_send_pictures(sc, &ref, &dis) < 0) {
            tvmaf_picture_unref(&ref);
            tvmaf_picture_unref(&dis);
            if (!tvmaf_scorers_errors_logged())
                fprintf(stderr, "tinyvmaf: frame %u: scoring failed\n", n);
            return 0;
        }
        n++;
    }
    return n;
}

int tvmaf_score_pair(const CliOptions *o, TvmafScorers **scorers, TvmafReport *rep)
{
    int ret = -1;
    char err[256];
    TvmafInput *ref_in = NULL, *dis_in = NULL;
    TvmafSettings st;
    tvmaf_default_settings(&st);
    st.n_threads = o->n_threads;
    st.cpu_mask = o->cpu_mask;
    st.subsample = o->subsample;
    st.motion_compat = o->motion_compat;
    st.memory_limit_mib = o->memory_limit_mib;
    if (tvmaf_scorers_open(scorers, o, &st) < 0)
        return -1;
    TvmafScorer *const sc = tvmaf_scorers_scorer(*scorers);
    TvmafRawParams raw = o->raw;
    raw.chroma = tvmaf_scorer_needs_chroma(sc);
    if (!(ref_in = tvmaf_input_open(o->ref_path, &raw, err, sizeof(err)))) {
        die_input(o->ref_path, err);
        goto end;
    }
    if (!(dis_in = tvmaf_input_open(o->dis_path, &raw, err, sizeof(err)))) {
        die_input(o->dis_path, err);
        goto end;
    }
    const TvmafInputInfo *ri = tvmaf_input_info(ref_in), *di = tvmaf_input_info(dis_in);
    if (check_inputs(o, ri, di) < 0 || skip_frames(ref_in, o->ref_path, o->skip_ref) ||
        skip_frames(dis_in, o->dis_path, o->skip_dis))
        goto end;
    /* The memory budget counts the scorer's scratch and pictures in flight;
     * what this process already holds (code, models) and the readers'
     * read-ahead come off it first. */
    if (tvmaf_scorer_reserve_memory(sc, resident_bytes() + tvmaf_input_held_bytes(ref_in) +
                                            tvmaf_input_held_bytes(dis_in)) < 0)
        goto end;
    const double t0 = now_seconds();
    const unsigned n = send_frames(o, ref_in, dis_in, sc);
    if (!n || tvmaf_scorer_flush(sc) < 0) /* the library logged a flush error */
        goto end;
    const double elapsed = now_seconds() - t0;
    *rep = (TvmafReport){
        .version = tvmaf_version(),
        .fps = n / (elapsed > 0 ? elapsed : 1e-9),
        .width = ri->w,
        .height = ri->h,
        .n_frames = n,
        .subsample = o->subsample,
        .precision = o->precision,
    };
    ret = tvmaf_scorers_report(*scorers, rep);
end:
    tvmaf_input_close(&ref_in);
    tvmaf_input_close(&dis_in);
    return ret;
}
