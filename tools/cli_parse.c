#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util/util.h"

enum {
    OPT_JSON = 256,
    OPT_CSV,
    OPT_SUB,
    OPT_XML,
    OPT_FRAME_CNT,
    OPT_SKIP_REF,
    OPT_SKIP_DIS,
    OPT_MOTION_COMPAT,
    OPT_TINY_MODEL,
    OPT_NO_PREDICTION,
    OPT_SCALE,
    OPT_PLOT,
    OPT_PRECISION,
    OPT_MEMORY_LIMIT,
    OPT_HELP,
};

static const struct option long_opts[] = {
    { "reference", required_argument, NULL, 'r' },
    { "distorted", required_argument, NULL, 'd' },
    { "width", required_argument, NULL, 'w' },
    { "height", required_argument, NULL, 'h' },
    { "pixel_format", required_argument, NULL, 'p' },
    { "bitdepth", required_argument, NULL, 'b' },
    { "model", required_argument, NULL, 'm' },
    { "output", required_argument, NULL, 'o' },
    { "xml", no_argument, NULL, OPT_XML },
    { "json", no_argument, NULL, OPT_JSON },
    { "csv", no_argument, NULL, OPT_CSV },
    { "sub", no_argument, NULL, OPT_SUB },
    { "threads", required_argument, NULL, 't' },
    { "subsample", required_argument, NULL, 's' },
    { "cpumask", required_argument, NULL, 'c' },
    { "memory-limit", required_argument, NULL, OPT_MEMORY_LIMIT },
    { "frame_cnt", required_argument, NULL, OPT_FRAME_CNT },
    { "frame_skip_ref", required_argument, NULL, OPT_SKIP_REF },
    { "frame_skip_dist", required_argument, NULL, OPT_SKIP_DIS },
    { "motion-compat", required_argument, NULL, OPT_MOTION_COMPAT },
    { "tiny-model", required_argument, NULL, OPT_TINY_MODEL },
    { "no_prediction", no_argument, NULL, OPT_NO_PREDICTION },
    { "scale", optional_argument, NULL, OPT_SCALE },
    { "plot", required_argument, NULL, OPT_PLOT },
    { "precision", required_argument, NULL, OPT_PRECISION },
    { "quiet", no_argument, NULL, 'q' },
    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

void tvmaf_cli_usage(FILE *f)
{
    fputs(
"Usage: tinyvmaf -r REF -d DIS [options]\n"
"       tinyvmaf plot|predict|models|train|eval|export [options]  (see 'tinyvmaf CMD --help')\n"
"\n"
"Scores a distorted video against its reference with libvmaf's integer\n"
"features (adm2, vif_scale0..3, motion2), the classic VMAF SVR models and\n"
"tinyvmaf's tiny MLP models.\n"
"\n"
"Input:\n"
"  -r, --reference FILE      reference video: Y4M, or raw YUV with -w -h -p -b ('-' = stdin)\n"
"  -d, --distorted FILE      distorted video, same size, chroma and depth as the reference\n"
"  -w, --width N             raw YUV width\n"
"  -h, --height N            raw YUV height\n"
"  -p, --pixel_format F      raw YUV chroma: 420, 422, 444 (also yuv420p, ...) or 400\n"
"  -b, --bitdepth N          raw YUV bit depth: 8, 10, 12 or 16 (2-byte little-endian above 8)\n"
"      --frame_cnt N         score at most N frames. Without it, inputs of different\n"
"                            lengths are scored up to the shorter one with a warning\n"
"                            on stderr, also under -q\n"
"      --frame_skip_ref N    discard the first N reference frames\n"
"      --frame_skip_dist N   discard the first N distorted frames\n"
"      --scale [METHOD]      resize a distorted video of another size to the reference's:\n"
"                            bicubic (default), bilinear, lanczos or spline, as ffmpeg's\n"
"                            -vf scale=W:H:flags=METHOD (docs/inputs.md)\n"
"\n"
"Any other file is read with FFmpeg's libraries when the build has them (mp4, mkv,\n"
"webm, mov, avi, ivf, mpeg-ts, .264/.265, ...; docs/inputs.md).\n"
"\n"
"Models:\n"
"  -m, --model SPEC          classic libvmaf JSON model: version=NAME or path=FILE, with\n"
"                            ':name=LABEL', ':enable_transform', ':disable_clip' and\n"
"                            extractor options ':EXTRACTOR.OPTION=VALUE' such as\n"
"                            ':cambi.enc_width=1280' (repeatable). NAME is built in\n"
"                            (vmaf_v0.6.1, vmaf_v0.6.1neg, vmaf_4k_v0.6.1, the VMAF v1\n"
"                            vmaf_v1.0.16_3d0h, _5d0h, _1d5h_2160, _3d0h_2160 and their\n"
"                            _hfr_ variants) or looked up in $TINYVMAF_MODEL_PATH, then\n"
"                            /usr/local/share/vmaf/model and /usr/share/vmaf/model\n"
"      --tiny-model ID|PATH  tiny MLP model from the registry, or an .onnx file with its\n"
"                            sidecar .json (repeatable)\n"
"      --no_prediction       features only, no model\n"
"\n"
"Features:\n"
"      --motion-compat V     integer motion pipeline: 3.2 (default; libvmaf >= 3.2.0)\n"
"                            or 3.0 (classic pipeline of libvmaf 3.0/3.1)\n"
"  -s, --subsample N         compute ADM/VIF and report every Nth frame (default 1)\n"
"\n"
"Output:\n"
"  -o, --output FILE         write per-frame and pooled results (XML unless a format flag\n"
"                            is given; '-' = stdout). Written atomically.\n"
"      --xml | --json | --csv | --sub   output format (libvmaf layouts)\n"
"      --precision N         print scores with %.Ng, N in 1..17 (17: every double exactly;\n"
"                            default: libvmaf's %.6f) in every format and the summary line\n"
"      --plot FILE.svg       also draw the per-frame model scores as an SVG\n"
"  -q, --quiet               no summary line and no progress line (warnings still go\n"
"                            to stderr). The progress line is shown when stderr is a TTY\n"
"\n"
"Engine:\n"
"  -t, --threads N           worker threads, 0 = one per core (default 0); results never\n"
"                            depend on it\n"
"  -c, --cpumask MASK        disable CPU features, libvmaf's bits: 1 SSE2, 2 SSSE3,\n"
"                            4 SSE4.1, 8 AVX2, 16 AVX-512, 32 AVX-512 ICL (63: plain C)\n"
"      --memory-limit SIZE   memory budget: bytes, or with a K, M, G or T suffix (powers\n"
"                            of 1024), at least 1M (default: half the physical memory).\n"
"                            --threads is reduced (with a note) to what fits in it\n"
"\n"
"  -v, --version             print the version\n"
"      --help                print this help\n"
"\n"
"Numbers are decimal. -o must not name an input. Without -o, one summary line is\n"
"printed on stdout; a failed write to stdout is an error.\n"
"Exit status: 0 on success, 1 on an error (one line on stderr), 2 on a usage error.\n",
          f);
}

/* Decimal only: "010" is ten, as a person reads it, and "0x40" or "1e3"
 * are refused rather than read with C's prefixes. */
static int parse_uint(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
    char echo[80];
    if (!s || !*s || strspn(s, "0123456789") != strlen(s)) {
        fprintf(stderr, "tinyvmaf: %s: expected a decimal integer, got \"%s\"\n", opt,
                tvmaf_escape_text(echo, sizeof(echo), s ? s : "", 32));
        return -1;
    }
    char *end;
    errno = 0;
    const unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max) {
        fprintf(stderr, "tinyvmaf: %s: expected an integer in 0..%lu, got \"%s\"\n", opt, max,
                tvmaf_escape_text(echo, sizeof(echo), s, 32));
        return -1;
    }
    *out = v;
    return 0;
}

/* A decimal byte count with an optional binary suffix, as MiB (rounded down). */
static int parse_size_mib(const char *opt, const char *s, unsigned *mib_out)
{
    char echo[80], digits[24];
    const size_t n = s ? strspn(s, "0123456789") : 0;
    const char *const suffix = s ? s + n : "";
    const char *const units = "KMGT";
    const char *const u = *suffix ? strchr(units, suffix[0] & ~0x20) : NULL;
    unsigned long v;
    if (!n || n >= sizeof(digits) || (*suffix && (!u || suffix[1]))) {
        fprintf(stderr, "tinyvmaf: %s: expected a decimal size with an optional K, M, G or T "
                "suffix, got \"%s\"\n", opt, tvmaf_escape_text(echo, sizeof(echo), s ? s : "", 32));
        return -1;
    }
    memcpy(digits, s, n);
    digits[n] = 0;
    if (parse_uint(opt, digits, ULONG_MAX, &v))
        return -1;
    const int shift = u ? 10 * (int)(u - units + 1) : 0;
    /* In MiB: bytes >> 20, K >> 10, M as is, G << 10, T << 20. */
    const unsigned long long mib =
        shift >= 20 ? (v > (ULLONG_MAX >> (shift - 20)) ? ULLONG_MAX : (unsigned long long)v << (shift - 20))
                    : (unsigned long long)v >> (20 - shift);
    if (mib < 1 || mib > UINT_MAX) {
        fprintf(stderr, "tinyvmaf: %s: \"%s\" is out of range (1M to %uT)\n", opt,
                tvmaf_escape_text(echo, sizeof(echo), s, 32), UINT_MAX >> 20);
        return -1;
    }
    *mib_out = (unsigned)mib;
    return 0;
}

int tvmaf_cli_model_spec(const char *spec, char *buf, size_t size, const char **path,
                         const char **version, TvmafModelConfig *cfg, CliModelOverride *ov,
                         int *n_ov)
{
    *n_ov = 0;
    if (strlen(spec) >= size) {
        fprintf(stderr, "tinyvmaf: --model: argument too long\n");
        return -1;
    }
    strcpy(buf, spec);
    *path = *version = NULL;
    char *save = NULL;
    for (char *kv = strtok_r(buf, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        char *val = strchr(kv, '=');
        if (val)
            *val++ = 0;
        if (!strcmp(kv, "path") && val)
            *path = val;
        else if (!strcmp(kv, "version") && val)
            *version = val;
        else if (!strcmp(kv, "name") && val && *val)
            cfg->name = val;
        else if (!strcmp(kv, "disable_clip") && (!val || !strcmp(val, "true")))
            cfg->flags |= TVMAF_MODEL_FLAG_DISABLE_CLIP;
        else if (!strcmp(kv, "enable_transform") && (!val || !strcmp(val, "true")))
            cfg->flags |= TVMAF_MODEL_FLAG_ENABLE_TRANSFORM;
        else if ((!strcmp(kv, "disable_clip") || !strcmp(kv, "enable_transform")) && val &&
                 !strcmp(val, "false"))
            ;
        else if (strchr(kv, '.') && kv[0] != '.' && strchr(kv, '.')[1] && val) {
            if (*n_ov == CLI_MAX_OVERRIDES) {
                fprintf(stderr, "tinyvmaf: --model \"%s\": at most %d extractor options\n", spec,
                        CLI_MAX_OVERRIDES);
                return -1;
            }
            char *const dot = strchr(kv, '.');
            *dot = 0;
            ov[*n_ov].extractor = kv;
            ov[*n_ov].option = dot + 1;
            ov[(*n_ov)++].value = val;
        } else {
            fprintf(stderr, "tinyvmaf: --model \"%s\": unknown or incomplete key \"%s\" "
                    "(path=, version=, name=, disable_clip, enable_transform, "
                    "EXTRACTOR.OPTION=VALUE)\n", spec, kv);
            return -1;
        }
    }
    if (!!*path == !!*version) {
        fprintf(stderr, "tinyvmaf: --model \"%s\": give exactly one of path=FILE or version=NAME\n", spec);
        return -1;
    }
    return 0;
}

/* Copies into `buf` the input file -o would overwrite: the videos, a
 * classic model's path= file, a tiny model file or its sidecar. */
static int input_clobbered(const CliOptions *o, char *buf, size_t size)
{
    const char *const out = o->out_path;
    const char *const videos[2] = { o->ref_path, o->dis_path };
    for (int i = 0; i < 2; i++)
        if (tvmaf_same_file(videos[i], out)) {
            snprintf(buf, size, "%s", videos[i]);
            return 1;
        }
    for (int i = 0; i < o->n_models; i++) {
        const char *const spec = o->models[i].spec;
        const char *p = !strncmp(spec, "path=", 5) ? spec + 5 : strstr(spec, ":path=");
        if (!p)
            continue;
        if (p != spec + 5)
            p += 6;
        snprintf(buf, size, "%.*s", (int)strcspn(p, ":"), p);
        if (tvmaf_same_file(buf, out))
            return 1;
    }
    for (int i = 0; i < o->n_tiny_models; i++) {
        const char *const m = o->tiny_models[i];
        const size_t n = strlen(m);
        snprintf(buf, size, "%s", m);
        if (tvmaf_same_file(buf, out))
            return 1;
        if (n > 5 && n < size && !strcmp(m + n - 5, ".onnx")) {
            memcpy(buf + n - 5, ".json", 6);
            if (tvmaf_same_file(buf, out))
                return 1;
        }
    }
    return 0;
}

int tvmaf_cli_parse(int argc, char **argv, CliOptions *o)
{
    memset(o, 0, sizeof(*o));
    tvmaf_stdout_guard("tinyvmaf");
    o->out_fmt = TVMAF_OUTPUT_XML;
    o->subsample = 1;
    o->motion_compat = TVMAF_MOTION_FUSED;
    int have_w = 0, have_h = 0, have_p = 0, have_b = 0;
    unsigned long v;
    char echo[80];
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":r:d:w:h:p:b:m:o:t:s:c:qv", long_opts, NULL)) != -1) {
        switch (c) {
        case 'r': o->ref_path = optarg; break;
        case 'd': o->dis_path = optarg; break;
        case 'w':
            if (parse_uint("--width", optarg, TVMAF_PICTURE_MAX_DIM, &v) || !v) return -1;
            o->raw.w = (int)v; have_w = 1;
            break;
        case 'h':
            if (parse_uint("--height", optarg, TVMAF_PICTURE_MAX_DIM, &v) || !v) return -1;
            o->raw.h = (int)v; have_h = 1;
            break;
        case 'p':
            if (tvmaf_input_layout_by_name(optarg, &o->raw.layout)) {
                fprintf(stderr, "tinyvmaf: --pixel_format: unknown format \"%s\" (420, 422, 444, 400)\n",
                        optarg);
                return -1;
            }
            have_p = 1;
            break;
        case 'b':
            if (parse_uint("--bitdepth", optarg, 16, &v)) return -1;
            if (v != 8 && v != 10 && v != 12 && v != 16) {
                fprintf(stderr, "tinyvmaf: --bitdepth: %lu is not one of 8, 10, 12, 16\n", v);
                return -1;
            }
            o->raw.bpc = (int)v; have_b = 1;
            break;
        case 'm':
            if (o->n_models == CLI_MAX_MODELS) {
                fprintf(stderr, "tinyvmaf: --model: at most %d models\n", CLI_MAX_MODELS);
                return -1;
            }
            o->models[o->n_models++].spec = optarg;
            break;
        case OPT_TINY_MODEL:
            if (o->n_tiny_models == CLI_MAX_MODELS) {
                fprintf(stderr, "tinyvmaf: --tiny-model: at most %d models\n", CLI_MAX_MODELS);
                return -1;
            }
            o->tiny_models[o->n_tiny_models++] = optarg;
            break;
        case 'o': o->out_path = optarg; break;
        case OPT_PLOT: o->plot_path = optarg; break;
        case OPT_PRECISION:
            if (parse_uint("--precision", optarg, 17, &v)) return -1;
            if (!v) {
                fprintf(stderr, "tinyvmaf: --precision: expected 1 to 17, got 0\n");
                return -1;
            }
            o->precision = (int)v;
            break;
        case OPT_XML: o->out_fmt = TVMAF_OUTPUT_XML; o->out_fmt_given = 1; break;
        case OPT_JSON: o->out_fmt = TVMAF_OUTPUT_JSON; o->out_fmt_given = 1; break;
        case OPT_CSV: o->out_fmt = TVMAF_OUTPUT_CSV; o->out_fmt_given = 1; break;
        case OPT_SUB: o->out_fmt = TVMAF_OUTPUT_SUB; o->out_fmt_given = 1; break;
        case 't':
            if (parse_uint("--threads", optarg, 256, &v)) return -1;
            o->n_threads = (int)v;
            break;
        case 's':
            if (parse_uint("--subsample", optarg, 1u << 20, &v) || !v) {
                if (!v) fprintf(stderr, "tinyvmaf: --subsample must be at least 1\n");
                return -1;
            }
            o->subsample = (unsigned)v;
            break;
        case 'c':
            if (parse_uint("--cpumask", optarg, 0xffffffffu, &v)) return -1;
            o->cpu_mask = (unsigned)v;
            break;
        case OPT_MEMORY_LIMIT:
            if (parse_size_mib("--memory-limit", optarg, &o->memory_limit_mib)) return -1;
            break;
        case OPT_FRAME_CNT:
            if (parse_uint("--frame_cnt", optarg, 0xffffffffu, &v)) return -1;
            o->frame_cnt = (unsigned)v;
            o->frame_cnt_given = 1;
            break;
        case OPT_SKIP_REF:
            if (parse_uint("--frame_skip_ref", optarg, 0xffffffffu, &v)) return -1;
            o->skip_ref = (unsigned)v;
            break;
        case OPT_SKIP_DIS:
            if (parse_uint("--frame_skip_dist", optarg, 0xffffffffu, &v)) return -1;
            o->skip_dis = (unsigned)v;
            break;
        case OPT_MOTION_COMPAT:
            if (!strcmp(optarg, "3.0") || !strcmp(optarg, "3.1"))
                o->motion_compat = TVMAF_MOTION_CLASSIC;
            else if (!strcmp(optarg, "3.2"))
                o->motion_compat = TVMAF_MOTION_FUSED;
            else {
                fprintf(stderr, "tinyvmaf: --motion-compat: expected 3.0 or 3.2, got \"%s\"\n",
                        optarg);
                return -1;
            }
            break;
        case OPT_NO_PREDICTION: o->no_prediction = 1; break;
        case OPT_SCALE: {
            /* "--scale lanczos" as well as "--scale=lanczos": the scoring
             * command takes no positional argument, so a following word
             * that is not an option is the method. */
            const char *m = optarg;
            if (!m && optind < argc && argv[optind][0] != '-')
                m = argv[optind++];
            if (!tvmaf_input_have_libav()) {
                fprintf(stderr, "tinyvmaf: --scale needs FFmpeg's libraries (libswscale), "
                        "which this build lacks\n");
                return -1;
            }
            const int fl = tvmaf_input_scale_flags(m ? m : "bicubic");
            if (fl <= 0) {
                fprintf(stderr, "tinyvmaf: --scale: unknown method \"%s\" (bicubic, bilinear, "
                        "lanczos, spline)\n", tvmaf_escape_text(echo, sizeof(echo), m, 32));
                return -1;
            }
            o->link.scale_flags = fl;
            break;
        }
        case 'q': o->quiet = 1; break;
        case 'v': printf("tinyvmaf %s\n", tvmaf_version()); return 1;
        case OPT_HELP: tvmaf_cli_usage(stdout); return 1;
        case ':':
            fprintf(stderr, "tinyvmaf: option %s needs a value\n", argv[optind - 1]);
            return -1;
        default:
            fprintf(stderr, "tinyvmaf: unknown option \"%s\" (see --help)\n", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tinyvmaf: unexpected argument \"%s\" (see --help)\n", argv[optind]);
        return -1;
    }
    if (!o->ref_path || !o->dis_path) {
        fprintf(stderr, "tinyvmaf: both -r REF and -d DIS are required (see --help)\n");
        return -1;
    }
    const int n_raw = have_w + have_h + have_p + have_b;
    if (n_raw && n_raw != 4) {
        fprintf(stderr, "tinyvmaf: raw YUV input needs all of -w, -h, -p and -b\n");
        return -1;
    }
    o->raw.set = n_raw == 4;
    if (o->out_fmt_given && !o->out_path) {
        fprintf(stderr, "tinyvmaf: a format flag (--json, --csv, ...) needs -o FILE\n");
        return -1;
    }
    if (!strcmp(o->ref_path, "-") && !strcmp(o->dis_path, "-")) {
        fprintf(stderr, "tinyvmaf: -r - and -d - both name stdin, which can be read only once\n");
        return -1;
    }
    /* Checked before any work: the output would replace an input. */
    char clobbered[4096];
    if (o->out_path && input_clobbered(o, clobbered, sizeof(clobbered))) {
        fprintf(stderr, "tinyvmaf: -o %s names the input %s; write the results elsewhere\n",
                o->out_path, clobbered);
        return -1;
    }
    if (o->plot_path) {
        CliOptions p = *o;
        p.out_path = o->plot_path;
        if (!strcmp(o->plot_path, "-") || input_clobbered(&p, clobbered, sizeof(clobbered)) ||
            (o->out_path && tvmaf_same_file(o->out_path, o->plot_path)) ||
            (o->out_path && !strcmp(o->out_path, o->plot_path))) {
            fprintf(stderr, "tinyvmaf: --plot %s names an input, stdout or the -o file; "
                    "write the plot elsewhere\n", o->plot_path);
            return -1;
        }
        if (o->no_prediction) {
            fprintf(stderr, "tinyvmaf: --plot draws model scores; it cannot go with "
                    "--no_prediction\n");
            return -1;
        }
    }
    /* Without -q the scoring loop warns itself; -q silences only the
     * summary, and --frame_cnt makes a shorter count intended. */
    if (o->quiet && !o->frame_cnt_given)
        o->raw.pair = &o->pair;
    o->link.progress = !o->quiet && isatty(STDERR_FILENO);
    o->link.frame_cnt = o->frame_cnt;
    o->link.skip_ref = o->skip_ref;
    o->raw.link = &o->link;
    return 0;
}
