/*
 * wakeup_measure(): the CPU of a sleep and wake from a pinned pipe ping-pong.
 * On one CPU and across two: positive, finite figures, a round trip costing each
 * side more than the same write and read that never sleep, no side using more
 * CPU than the wall clock gave it, the caller's affinity untouched, bad CPUs
 * refused; and, as root, the same with the probes attached (no targets).
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "probe.h"
#include "probe_skip.h"
#include "wakeup.h"

#include "check.h"

static void check_cost(const char *what, int a, int b, const struct wakeup_cost *w)
{
	double busy = a == b ? w->side_us[0] + w->side_us[1] : w->side_us[0];

	printf("%s (CPU %d <-> %d): %.2f us per sleep and wake; sides %.2f / %.2f us CPU per "
	       "round trip, pair %.2f us, wall %.2f us\n",
	       what, a, b, w->us, w->side_us[0], w->side_us[1], w->pair_us, w->wall_us);
	CHECKF(isfinite(w->us) && w->us > 0, "%s: %g us", what, w->us);
	CHECKF(w->pair_us > 0 && w->side_us[0] > w->pair_us && w->side_us[1] > w->pair_us,
	       "%s: a round trip's side (%g, %g us) not above the pair (%g us)", what,
	       w->side_us[0], w->side_us[1], w->pair_us);
	/* Medians of separately timed passes: a little slack for the clocks' reads. */
	CHECKF(busy <= w->wall_us * 1.1, "%s: %g us CPU on CPU %d in %g us wall", what, busy, a,
	       w->wall_us);
}

int main(void)
{
	struct wakeup_cost same = {0}, cross = {0}, bad = {.us = -1}, probed = {0};
	cpu_set_t before, after;
	struct probe *p;
	int a, b = -1;

	CHECK(sched_getaffinity(0, sizeof(before), &before) == 0);
	a = sched_getcpu();
	for (int c = 0; c < CPU_SETSIZE && b < 0; c++)
		if (c != a && CPU_ISSET(c, &before))
			b = c;
	CHECKF(wakeup_measure(a, a, &same) == 0, "same CPU %d: %m", a);
	check_cost("same CPU", a, a, &same);
	if (b >= 0) {
		CHECKF(wakeup_measure(a, b, &cross) == 0, "CPUs %d, %d: %m", a, b);
		check_cost("across CPUs", a, b, &cross);
	} else {
		printf("one CPU allowed: no cross-CPU figure\n");
	}
	CHECK(sched_getaffinity(0, sizeof(after), &after) == 0);
	CHECKF(CPU_EQUAL(&before, &after), "caller's affinity changed");
	errno = 0;
	CHECKF(wakeup_measure(-1, a, &bad) == -1 && errno == EINVAL && bad.us == -1,
	       "CPU -1 accepted");
	CHECKF(wakeup_measure(a, CPU_SETSIZE, &bad) == -1 && errno == EINVAL,
	       "CPU_SETSIZE accepted");
	if (check_failures)
		return check_exit();

	p = probe_open_or_skip(); /* the unprobed checks above have passed */
	CHECKF(probe_attach(p) == 0, "attach: %m");
	CHECKF(wakeup_measure(a, b >= 0 ? b : a, &probed) == 0, "probed: %m");
	probe_close(p);
	check_cost("probed", a, b >= 0 ? b : a, &probed);
	return check_exit();
}
