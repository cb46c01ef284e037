#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "feature/speed.h"

static const char *const scaler_names[] = { "nearest", "bilinear", "bicubic", "lanczos4", NULL };

const TvmafOption tvmaf_speed_chroma_options[] = {
    { .name = "speed_kernelscale", .alias = "ks", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(TvmafSpeedChromaOptions, kernelscale), .def = 1.0, .min = 0.1,
      .max = 4.0, .flags = TVMAF_OPTION_KEY },
    { .name = "speed_prescale", .alias = "ps", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(TvmafSpeedChromaOptions, prescale), .def = 1.0, .min = 0.1, .max = 4.0,
      .flags = TVMAF_OPTION_KEY },
    { .name = "speed_prescale_method", .alias = "psm", .type = TVMAF_OPTION_ENUM,
      .offset = offsetof(TvmafSpeedChromaOptions, prescale_method),
      .def = TVMAF_SPEED_SCALE_NEAREST, .names = scaler_names, .flags = TVMAF_OPTION_KEY },
    { .name = "speed_sigma_nn", .alias = "snn", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(TvmafSpeedChromaOptions, sigma_nn), .def = 0.29, .min = 0.1, .max = 2.0,
      .flags = TVMAF_OPTION_KEY },
    { .name = "speed_nn_floor", .alias = "nnf", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(TvmafSpeedChromaOptions, nn_floor), .def = 0.0, .min = 0.0, .max = 1.0,
      .flags = TVMAF_OPTION_KEY },
    { .name = "speed_max_val", .alias = "mxv", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(TvmafSpeedChromaOptions, max_val), .def = 1000.0, .min = 0.0,
      .max = 1000.0, .flags = TVMAF_OPTION_KEY },
    { .name = "speed_weight_var_mode", .alias = "wvm", .type = TVMAF_OPTION_INT,
      .offset = offsetof(TvmafSpeedChromaOptions, weight_var_mode), .def = 0, .min = 0, .max = 6,
      .flags = TVMAF_OPTION_KEY },
    { 0 },
};

const char *const tvmaf_speed_chroma_names[3] = { "speed_chroma_u", "speed_chroma_v",
                                                  "speed_chroma_uv" };

struct TvmafSpeedChroma {
    int unused;
};

int tvmaf_speed_chroma_init(TvmafSpeedChroma **out, int w, int h, int bpc,
                            enum TvmafPixelLayout layout, const TvmafSpeedChromaOptions *opt,
                            unsigned cpu_flags)
{
    (void)w, (void)h, (void)bpc, (void)layout, (void)opt, (void)cpu_flags;
    if (out)
        *out = NULL;
    return -ENOSYS;
}

int tvmaf_speed_chroma_compute(TvmafSpeedChroma *s, const TvmafPlane ref[3],
                               const TvmafPlane dis[3], double out[3])
{
    (void)s, (void)ref, (void)dis, (void)out;
    return -ENOSYS;
}

void tvmaf_speed_chroma_free(TvmafSpeedChroma **s)
{
    if (s) {
        free(*s);
        *s = NULL;
    }
}
