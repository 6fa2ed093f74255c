/*
 * nullsys_measure(): a positive, finite ns per getppid on a pinned CPU, the
 * thread's affinity restored, bad CPUs refused; and, as root with the probes
 * attached (no targets: the harness's own thread is never one), a slower null
 * syscall than detached, since sys_enter/sys_exit programs run for every task.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "nullsys.h"
#include "probe.h"
#include "probe_skip.h"

#include "check.h"

int main(void)
{
	double unprobed = -1, probed = -1, again = -1, bad = -1;
	cpu_set_t before, after;
	struct probe *p;
	int cpu;

	CHECK(sched_getaffinity(0, sizeof(before), &before) == 0);
	cpu = sched_getcpu();
	CHECKF(nullsys_measure(cpu, &unprobed) == 0, "measure on CPU %d: %m", cpu);
	CHECKF(isfinite(unprobed) && unprobed > 0, "unprobed %g ns", unprobed);
	CHECK(sched_getaffinity(0, sizeof(after), &after) == 0);
	CHECKF(CPU_EQUAL(&before, &after), "affinity not restored");
	errno = 0;
	CHECKF(nullsys_measure(-1, &bad) == -1 && errno == EINVAL && bad == -1, "CPU -1 accepted");
	CHECKF(nullsys_measure(CPU_SETSIZE, &bad) == -1 && errno == EINVAL, "CPU_SETSIZE accepted");
	printf("null syscall: %.1f ns unprobed\n", unprobed);
	if (check_failures)
		return check_exit();

	p = probe_open_or_skip(); /* the unprobed checks above have passed */
	CHECKF(probe_attach(p) == 0, "attach: %m");
	CHECKF(nullsys_measure(cpu, &probed) == 0, "probed measure: %m");
	probe_detach(p);
	CHECKF(nullsys_measure(cpu, &again) == 0, "second unprobed measure: %m");
	probe_close(p);
	printf("null syscall: %.1f ns probed, %.1f ns unprobed again (+%.1f ns)\n", probed, again,
	       probed - (again < unprobed ? again : unprobed));
	CHECKF(isfinite(probed) && probed > 0, "probed %g ns", probed);
	/* Against the faster of the two unprobed medians: noise only slows a pass. */
	CHECKF(probed > (again < unprobed ? again : unprobed), "probed %.1f ns <= unprobed %.1f ns",
	       probed, again < unprobed ? again : unprobed);
	return check_exit();
}
