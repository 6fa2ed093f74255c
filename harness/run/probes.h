/*
 * The BPF probes (bpf/) behind the cell's probe hooks (probes.c).
 */
#ifndef RS_PROBES_H
#define RS_PROBES_H

#include <stddef.h>

struct cell_probe_ops;

/*
 * mode "auto": load the probes if this machine allows, else run without them
 * and keep the reason; "on": the same, but failing to load is an error (-1,
 * said on stderr); "off": never load them. *ops gets the hooks (NULL while the
 * probes are off), reason why they are off ("" while on).
 */
int probes_init(const char *mode, const struct cell_probe_ops **ops, char *reason, size_t len);
void probes_fini(void);
/* 0 when the probes can load here; else -1 with the one-line reason. */
int probes_check(char *why, size_t len);
/*
 * The null-syscall cost on cpu (bpf/nullsys.h), median of its passes: *unprobed
 * with the probes detached, *probed with them attached and no targets (NaN while
 * the probes are off or cannot attach). 0, or -1 with errno when cpu is refused.
 */
int probes_null_syscall(int cpu, double *unprobed, double *probed);
/*
 * The same for a sleep and wake between cpu_a and cpu_b (bpf/wakeup.h): *probed's
 * us is NaN while the probes are off or cannot attach. 0, or -1 with errno.
 */
struct wakeup_cost;
int probes_wakeup(int cpu_a, int cpu_b, struct wakeup_cost *unprobed, struct wakeup_cost *probed);

#endif
