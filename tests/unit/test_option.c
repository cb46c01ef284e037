/*
 * src/feature/option.c: defaults, decimal-only parsing with ranges, and the
 * option-suffixed keys libvmaf prints (feature_name.c's rules: options
 * flagged as feature parameters, only when not at their default, sorted by
 * option name, "%g" doubles, bools as their bare alias). The expected keys
 * are libvmaf 3.2.0's printed names from the golden outputs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "feature/option.h"
#include "unit_check.h"

typedef struct Opts {
    double max_val;
    bool five_frame;
    bool moving_avg;
    int hrs;
    double vlt;
    int method;
    int internal;
} Opts;

static const char *const methods[] = { "bilinear", "bicubic", NULL };

static const TvmafOption table[] = {
    { .name = "motion_max_val", .alias = "mmxv", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(Opts, max_val), .def = 10000.0, .min = 0.0, .max = 10000.0,
      .flags = TVMAF_OPTION_KEY },
    { .name = "motion_moving_average", .alias = "mma", .type = TVMAF_OPTION_BOOL,
      .offset = offsetof(Opts, moving_avg), .def = 0, .flags = TVMAF_OPTION_KEY },
    { .name = "motion_five_frame_window", .alias = "mffw", .type = TVMAF_OPTION_BOOL,
      .offset = offsetof(Opts, five_frame), .def = 0, .flags = TVMAF_OPTION_KEY },
    { .name = "high_res_speedup", .alias = "hrs", .type = TVMAF_OPTION_INT,
      .offset = offsetof(Opts, hrs), .def = 0, .min = 0, .max = 4320, .flags = TVMAF_OPTION_KEY },
    { .name = "vis_lum_threshold", .alias = "vlt", .type = TVMAF_OPTION_DOUBLE,
      .offset = offsetof(Opts, vlt), .def = 0.0, .min = 0.0, .max = 1.0,
      .flags = TVMAF_OPTION_KEY },
    { .name = "prescale_method", .alias = "psm", .type = TVMAF_OPTION_ENUM,
      .offset = offsetof(Opts, method), .def = 1, .names = methods, .flags = TVMAF_OPTION_KEY },
    { .name = "internal", .type = TVMAF_OPTION_INT, .offset = offsetof(Opts, internal),
      .def = 3, .min = 0, .max = 9 },
    { 0 },
};

static int set(Opts *o, const char *name, const char *text)
{
    char err[128];
    return tvmaf_option_parse(tvmaf_option_find(table, name), o, text, err, sizeof(err));
}

int main(void)
{
    Opts o;
    memset(&o, 0x55, sizeof(o));
    tvmaf_option_defaults(table, &o);
    CHECK(o.max_val == 10000.0 && !o.five_frame && !o.moving_avg && o.hrs == 0 && o.vlt == 0.0 &&
              o.method == 1 && o.internal == 3,
          "defaults not applied");

    char key[256];
    CHECK(!tvmaf_option_key(table, &o, "integer_motion3", key, sizeof(key)) &&
              !strcmp(key, "integer_motion3"),
          "all defaults: got %s", key);

    /* libvmaf 3.2.0 hfr_3d0h: "integer_motion3_mffw_mmxv_18_mma". */
    CHECK(!set(&o, "motion_max_val", "18.0"), "18.0");
    CHECK(!set(&o, "motion_five_frame_window", "true"), "true");
    CHECK(!set(&o, "motion_moving_average", "1"), "1");
    CHECK(!tvmaf_option_key(table, &o, "integer_motion3", key, sizeof(key)) &&
              !strcmp(key, "integer_motion3_mffw_mmxv_18_mma"),
          "hfr key: got %s", key);

    /* Sorted by option name (high_res < prescale < vis_lum), %g doubles,
     * options without the key flag never printed. */
    CHECK(!set(&o, "motion_five_frame_window", "false") && !set(&o, "motion_moving_average", "0"),
          "reset bools");
    CHECK(!set(&o, "motion_max_val", "10000"), "back to default");
    CHECK(!set(&o, "vis_lum_threshold", "0.06") && !set(&o, "high_res_speedup", "1080") &&
              !set(&o, "prescale_method", "bilinear") && !set(&o, "internal", "7"),
          "set mixed");
    CHECK(!tvmaf_option_key(table, &o, "cambi", key, sizeof(key)) &&
              !strcmp(key, "cambi_hrs_1080_psm_bilinear_vlt_0.06"),
          "sorted key: got %s", key);
    CHECK(tvmaf_option_key(table, &o, "cambi", key, 12) == -EINVAL, "short buffer accepted");

    /* Decimal only, finite, in range, exact integers. */
    const char *bad_int[] = { "0x40", "1e9", "12.5", "", " ", "12abc", "-1", "4321", NULL };
    for (int i = 0; bad_int[i]; i++)
        CHECK(set(&o, "high_res_speedup", bad_int[i]) == -EINVAL, "int \"%s\" accepted", bad_int[i]);
    CHECK(!set(&o, "high_res_speedup", "010") && o.hrs == 10, "010 is ten");
    CHECK(!set(&o, "high_res_speedup", "2160.0") && o.hrs == 2160, "2160.0 is an integer");
    const char *bad_dbl[] = { "nan", "inf", "0x1p-3", "1.5", "-0.1", "abc", "", NULL };
    for (int i = 0; bad_dbl[i]; i++)
        CHECK(set(&o, "vis_lum_threshold", bad_dbl[i]) == -EINVAL, "double \"%s\" accepted",
              bad_dbl[i]);
    CHECK(set(&o, "motion_moving_average", "yes") == -EINVAL, "bool yes accepted");
    CHECK(set(&o, "prescale_method", "lanczos") == -EINVAL, "unknown enum accepted");
    CHECK(tvmaf_option_find(table, "no_such_option") == NULL, "unknown option found");

    char err[128] = "";
    CHECK(tvmaf_option_parse(tvmaf_option_find(table, "internal"), &o, "99", err, sizeof(err)) ==
                  -EINVAL &&
              strstr(err, "internal") && strstr(err, "out of range"),
          "error text: %s", err);
    return fails ? 1 : 0;
}
