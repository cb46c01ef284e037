/*
 * tinyvmaf — common definitions shared by every public header.
 */
#ifndef TVMAF_COMMON_H
#define TVMAF_COMMON_H

#include <errno.h>

#if defined(_WIN32) && defined(TVMAF_BUILDING_DLL)
#  define TVMAF_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define TVMAF_API __attribute__((visibility("default")))
#else
#  define TVMAF_API
#endif

#if defined(__GNUC__)
#  define TVMAF_WARN_UNUSED __attribute__((warn_unused_result))
#else
#  define TVMAF_WARN_UNUSED
#endif

/**
 * Every fallible call returns 0 on success or a negative errno value made
 * with TVMAF_ERR(). The meaning of each code never changes:
 *   - TVMAF_ERR(EINVAL)   bad argument or bad option value
 *   - TVMAF_ERR(ENOMEM)   allocation failed
 *   - TVMAF_ERR(ENOENT)   unknown file, feature, model id or frame index
 *   - TVMAF_ERR(EBADMSG)  malformed input (Y4M, JSON, ONNX, CSV)
 *   - TVMAF_ERR(ENOTSUP)  well-formed but unsupported (op, opset, format)
 *   - TVMAF_ERR(EAGAIN)   more input is needed before a value exists
 *   - TVMAF_ERR(EIO)      an operating-system read or write failed
 *   - TVMAF_ERR(EACCES)   refused by policy (checksum, directory jail)
 * Details go to the logger.
 */
#if EPERM > 0
#  define TVMAF_ERR(e) (-(e))
#else
#  define TVMAF_ERR(e) (e)
#endif

#endif /* TVMAF_COMMON_H */
