#ifndef TVMAF_SRC_CPU_H
#define TVMAF_SRC_CPU_H

/** TVMAF_CPU_FLAG_* bits this CPU and OS support (detected once, thread-safe). */
unsigned tvmaf_cpu_flags_detect(void);

/**
 * The flags the DSP tables may use: those detected minus cpu_mask (the
 * TVMAF_CPU_FLAG_* bits to disable, libvmaf's --cpumask meaning). Every
 * table init (features, MLP, trainer) takes its flags from here.
 */
unsigned tvmaf_cpu_flags_usable(unsigned cpu_mask);

#endif /* TVMAF_SRC_CPU_H */
