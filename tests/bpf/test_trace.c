/*
 * Runs `ringside trace --json -o FILE -- trace_target MODE ...` and checks the counts
 * against what trace_target is known to do: exact syscall counts, io_uring
 * SQEs/CQEs per enter, followed forks, and BPF context switches against
 * wait4's rusage. Needs root and BPF: skips (77) with the reason otherwise.
 * usage: test_trace RINGSIDE TRACE_TARGET exact|switches|uring|sqpoll|fork
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "probe.h"
#include "probe_skip.h"

#include "check.h"

/*
 * Runs the trace with the report in a file of its own (-o), so nothing the
 * command prints can get into the JSON; returns the JSON (NULL on failure) and
 * the exit status.
 */
static json_t *trace(const char *ringside, char *const target_argv[], int *status)
{
	char cmd[1024] = "", report[] = "/tmp/rs-trace-XXXXXX";
	json_error_t jerr;
	json_t *j;
	int fd = mkstemp(report);

	if (fd < 0)
		return NULL;
	close(fd);
	snprintf(cmd, sizeof(cmd), "'%s' trace --json -o '%s' --", ringside, report);
	for (int i = 0; target_argv[i]; i++) {
		strncat(cmd, " '", sizeof(cmd) - strlen(cmd) - 1);
		strncat(cmd, target_argv[i], sizeof(cmd) - strlen(cmd) - 1);
		strncat(cmd, "'", sizeof(cmd) - strlen(cmd) - 1);
	}
	*status = system(cmd);
	j = json_load_file(report, 0, &jerr);
	if (!j)
		fprintf(stderr, "%s: not JSON (%s)\n", report, jerr.text);
	unlink(report);
	return j;
}

static json_int_t get_int(json_t *j, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_object_get(j, k);
	return json_is_integer(j) ? json_integer_value(j) : -1;
}

static double get_real(json_t *j, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_object_get(j, k);
	return json_is_number(j) ? json_number_value(j) : -1;
}

int main(int argc, char **argv)
{
	const char *ringside = argv[1], *target = argv[2], *mode = argv[3];
	int status = -1;
	json_t *j = NULL;

	if (argc != 4) {
		fprintf(stderr, "usage: test_trace RINGSIDE TRACE_TARGET MODE\n");
		return 2;
	}
	probe_close(probe_open_or_skip());

	if (!strcmp(mode, "exact")) {
		/* getsid is never called by the loader or libc start-up. */
		j = trace(ringside, (char *[]){(char *)target, "getppid", "100000", "12345", NULL},
			  &status);
		CHECKF(j, "no JSON");
		CHECKF(get_int(j, "syscalls.by_name.getppid") == 100000, "getppid %lld != 100000",
		       (long long)get_int(j, "syscalls.by_name.getppid"));
		CHECKF(get_int(j, "syscalls.by_name.getsid") == 12345, "getsid %lld != 12345",
		       (long long)get_int(j, "syscalls.by_name.getsid"));
		CHECKF(get_int(j, "syscalls.by_name.execve") == 1, "execve %lld != 1",
		       (long long)get_int(j, "syscalls.by_name.execve"));
	} else if (!strcmp(mode, "switches")) {
		const long k = 200;
		json_int_t bv, bi, rv, ri;

		j = trace(ringside, (char *[]){(char *)target, "block", "200", NULL}, &status);
		CHECKF(j, "no JSON");
		bv = get_int(j, "context_switches.bpf.voluntary");
		bi = get_int(j, "context_switches.bpf.involuntary");
		rv = get_int(j, "context_switches.rusage.voluntary");
		ri = get_int(j, "context_switches.rusage.involuntary");
		printf("switches: BPF %lld voluntary %lld involuntary; rusage %lld / %lld\n",
		       (long long)bv, (long long)bi, (long long)rv, (long long)ri);
		CHECKF(bv >= k, "BPF voluntary %lld < %ld blocks", (long long)bv, k);
		/*
		 * Same tasks, same window (exec to reap): the kernel's own counters
		 * should match exactly; allow 2 each way for a switch racing the reap.
		 */
		CHECKF(llabs(bv - rv) <= 2, "voluntary: BPF %lld vs rusage %lld", (long long)bv,
		       (long long)rv);
		CHECKF(llabs(bi - ri) <= 2, "involuntary: BPF %lld vs rusage %lld", (long long)bi,
		       (long long)ri);
	} else if (!strcmp(mode, "uring")) {
		j = trace(ringside, (char *[]){(char *)target, "uring", "1000", "8", NULL},
			  &status);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
			printf("skip: io_uring unavailable\n");
			return 77;
		}
		CHECKF(j, "no JSON");
		CHECKF(get_int(j, "io_uring.sqes") == 1000, "SQEs %lld != 1000",
		       (long long)get_int(j, "io_uring.sqes"));
		CHECKF(get_int(j, "io_uring.cqes") == 1000, "CQEs %lld != 1000",
		       (long long)get_int(j, "io_uring.cqes"));
		CHECKF(get_int(j, "io_uring.enter_calls") == 125, "enter calls %lld != 125",
		       (long long)get_int(j, "io_uring.enter_calls"));
		CHECKF(get_real(j, "io_uring.sqes_per_enter") == 8.0, "SQEs/enter %g != 8",
		       get_real(j, "io_uring.sqes_per_enter"));
	} else if (!strcmp(mode, "sqpoll")) {
		/* The iou-sqp thread submits; it is a thread of the traced process. */
		j = trace(ringside, (char *[]){(char *)target, "sqpoll", "1000", "8", NULL},
			  &status);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
			printf("skip: io_uring SQPOLL unavailable\n");
			return 77;
		}
		CHECKF(j, "no JSON");
		CHECKF(get_int(j, "io_uring.sqes") == 1000, "SQEs %lld != 1000",
		       (long long)get_int(j, "io_uring.sqes"));
		CHECKF(get_int(j, "io_uring.cqes") == 1000, "CQEs %lld != 1000",
		       (long long)get_int(j, "io_uring.cqes"));
		CHECKF(get_int(j, "io_uring.enter_calls") <= 125, "enter calls %lld > 125",
		       (long long)get_int(j, "io_uring.enter_calls"));
	} else if (!strcmp(mode, "fork")) {
		j = trace(ringside, (char *[]){(char *)target, "fork", "54321", NULL}, &status);
		CHECKF(j, "no JSON");
		CHECKF(get_int(j, "syscalls.by_name.getppid") == 54321, "getppid %lld != 54321",
		       (long long)get_int(j, "syscalls.by_name.getppid"));
		CHECKF(get_int(j, "processes_followed") == 1, "followed %lld != 1",
		       (long long)get_int(j, "processes_followed"));
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "trace exit status %d", status);
	CHECKF(get_int(j, "exit.code") == 0, "traced command exit %lld",
	       (long long)get_int(j, "exit.code"));
	json_decref(j);
	if (check_failures)
		return 1;
	printf("ok: %s\n", mode);
	return 0;
}
