/*
 * The rs_probe API on the test's own process: exact getppid counts while
 * attached, none while detached or after clear_targets, probe_figures per
 * docs/results.md, syscall names from the generated table. Prints the probe
 * overhead (ns per getppid attached vs detached). Needs root and BPF, else 77.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "probe_skip.h"

#define N 200000

#include "check.h"

/* N getppid calls; returns ns per call. */
static double getppid_loop(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < N; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / N;
}

static unsigned long long getppids(const struct probe_snapshot *a, const struct probe_snapshot *b)
{
	return probe_syscall_count(b, PROBE_ROLE_SERVER, SYS_getppid) -
	       probe_syscall_count(a, PROBE_ROLE_SERVER, SYS_getppid);
}

int main(void)
{
	struct probe_snapshot *s = calloc(4, sizeof(*s));
	struct probe *p = probe_open_or_skip();
	double detached, attached, other;
	json_t *fig;

	CHECKF(!strcmp(probe_syscall_name(SYS_getppid), "getppid"), "name %s",
	       probe_syscall_name(SYS_getppid));
	CHECKF(!strcmp(probe_syscall_name(PROBE_NR_IO_URING_ENTER), "io_uring_enter"), "name %s",
	       probe_syscall_name(PROBE_NR_IO_URING_ENTER));
	CHECKF(!strcmp(probe_syscall_name(PROBE_NR_SYSCALLS - 1), "syscall_511"), "name %s",
	       probe_syscall_name(PROBE_NR_SYSCALLS - 1));
	CHECKF(probe_add_target(p, getpid(), PROBE_ROLE_SERVER) == 0, "add_target");
	CHECKF(probe_add_target(p, getpid(), 7) == -1, "role 7 accepted");

	/* Detached: nothing counts. */
	probe_snapshot(p, &s[0]);
	detached = getppid_loop();
	probe_snapshot(p, &s[1]);
	CHECKF(getppids(&s[0], &s[1]) == 0, "detached counted %llu", getppids(&s[0], &s[1]));

	/* Attached: exactly N. */
	CHECKF(probe_attach(p) == 0, "attach");
	CHECKF(probe_attach(p) == 0, "second attach");
	probe_snapshot(p, &s[0]);
	attached = getppid_loop();
	probe_snapshot(p, &s[1]);
	CHECKF(getppids(&s[0], &s[1]) == N, "attached counted %llu != %d", getppids(&s[0], &s[1]),
	       N);

	fig = probe_figures(&s[0], &s[1], N);
	CHECKF(fig, "probe_figures");
	CHECKF(json_real_value(json_object_get(
		   json_object_get(json_object_get(json_object_get(fig, "syscalls"), "server"),
				   "by_name"),
		   "getppid")) == 1.0,
	       "getppid per request != 1");
	CHECKF(json_is_null(json_object_get(json_object_get(fig, "io_uring"), "sqes_per_enter")),
	       "sqes_per_enter not null without enter calls");
	CHECKF(json_integer_value(json_object_get(
		   json_object_get(json_object_get(fig, "syscalls"), "client"), "total")) == 0,
	       "client syscalls counted");
	json_decref(fig);
	fig = probe_figures(&s[0], &s[1], 0);
	CHECKF(json_is_null(json_object_get(
		   json_object_get(json_object_get(fig, "syscalls"), "server"), "per_request")),
	       "per_request not null with 0 requests");
	json_decref(fig);

	/* Detached again, then attached with no targets. */
	probe_detach(p);
	probe_snapshot(p, &s[2]);
	getppid_loop();
	probe_snapshot(p, &s[3]);
	CHECKF(getppids(&s[2], &s[3]) == 0, "re-detached counted %llu", getppids(&s[2], &s[3]));
	probe_clear_targets(p);
	CHECKF(probe_attach(p) == 0, "re-attach");
	probe_snapshot(p, &s[2]);
	other = getppid_loop();
	probe_snapshot(p, &s[3]);
	CHECKF(getppids(&s[2], &s[3]) == 0, "cleared target counted %llu", getppids(&s[2], &s[3]));
	probe_close(p);

	printf("overhead: getppid %.1f ns detached; attached: %.1f ns in a target (+%.1f), "
	       "%.1f ns in any other process (+%.1f)\n",
	       detached, attached, attached - detached, other, other - detached);
	free(s);
	if (check_failures)
		return 1;
	printf("ok\n");
	return 0;
}
