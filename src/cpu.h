#ifndef TVMAF_SRC_CPU_H
#define TVMAF_SRC_CPU_H

/** TVMAF_CPU_FLAG_* bits this CPU and OS support (detected once, thread-safe). */
unsigned tvmaf_cpu_flags_detect(void);

#endif /* TVMAF_SRC_CPU_H */
