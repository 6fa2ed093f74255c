/*
 * `ringside doctor`: what this machine can run. Probes io_uring for real (a
 * SINGLE_ISSUER|DEFER_TASKRUN ring, an SQPOLL ring, a registered buffer ring and
 * a multishot recv on a socketpair), checks privileges, RLIMIT_NOFILE and the
 * peer tools, lists what could disturb the server CPUs (doctor_noise.c), and
 * what a run would skip. Always exits 0.
 */
#include <liburing.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cmd.h"
#include "tools/doctor.h"
#include "sys/hostinfo.h"
#include "run/servers/peers.h"
#include "run/probes.h"
#include "run/workloads.h"
#include "log.h"
#include "opts.h"
#include "nullsys.h"
#include "wakeup.h"

#define NOFILE_NEEDED (2 * 10000)

struct doctor {
	char skips[8][200];
	int nskips;
};

static void would_skip(struct doctor *d, const char *fmt, const char *arg)
{
	if (d->nskips < 8)
		snprintf(d->skips[d->nskips++], sizeof(d->skips[0]), fmt, arg);
}

static int try_ring(unsigned flags, char *detail, size_t len)
{
	struct io_uring_params p = {.flags = flags, .sq_thread_idle = 10};
	struct io_uring ring;
	int ret = io_uring_queue_init_params(4, &ring, &p);

	if (ret < 0) {
		snprintf(detail, len, "io_uring_setup: %s", strerror(-ret));
		return ret;
	}
	snprintf(detail, len, "ok");
	io_uring_queue_exit(&ring);
	return 0;
}

/* A buffer ring plus one multishot recv on a socketpair: IORING_CQE_F_MORE means it works. */
static void try_multishot(bool *bufring, bool *multishot, char *detail, size_t len)
{
	const unsigned nbufs = 4, bsz = 64;
	struct io_uring_buf_reg reg = {.ring_entries = nbufs, .bgid = 1};
	size_t ringsz = nbufs * sizeof(struct io_uring_buf);
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = {.tv_sec = 1};
	struct io_uring_buf_ring *br;
	struct io_uring ring;
	char *bufs = NULL;
	int sv[2] = {-1, -1}, ret;

	*bufring = *multishot = false;
	if ((ret = io_uring_queue_init(4, &ring, 0)) < 0) {
		snprintf(detail, len, "io_uring_setup: %s", strerror(-ret));
		return;
	}
	br = mmap(NULL, ringsz, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	bufs = malloc(nbufs * bsz);
	if (br == MAP_FAILED || !bufs) {
		snprintf(detail, len, "out of memory");
		goto out;
	}
	reg.ring_addr = (unsigned long)br;
	ret = io_uring_register_buf_ring(&ring, &reg, 0);
	if (ret < 0) {
		snprintf(detail, len, "io_uring_register_buf_ring: %s", strerror(-ret));
		goto out;
	}
	*bufring = true;
	io_uring_buf_ring_init(br);
	for (unsigned i = 0; i < nbufs; i++)
		io_uring_buf_ring_add(br, bufs + i * bsz, bsz, i, io_uring_buf_ring_mask(nbufs), i);
	io_uring_buf_ring_advance(br, nbufs);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(detail, len, "socketpair: %s", strerror(errno));
		goto out;
	}
	{
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_recv_multishot(sqe, sv[0], NULL, 0, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = 1;
	}
	io_uring_submit(&ring);
	if (write(sv[1], "x", 1) != 1) {
		snprintf(detail, len, "write: %s", strerror(errno));
		goto out;
	}
	ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
	if (ret < 0) {
		snprintf(detail, len, "no completion: %s", strerror(-ret));
		goto out;
	}
	*multishot = cqe->res == 1 && (cqe->flags & IORING_CQE_F_MORE);
	if (*multishot)
		snprintf(detail, len, "multishot recv into a registered buffer ring");
	else
		snprintf(detail, len, "multishot recv: res %d (%s), flags 0x%x", cqe->res,
			 cqe->res < 0 ? strerror(-cqe->res) : "no F_MORE", cqe->flags);
	io_uring_cqe_seen(&ring, cqe);
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	io_uring_queue_exit(&ring); /* before freeing the buffers it may still reference */
	if (br != MAP_FAILED)
		munmap(br, ringsz);
	free(bufs);
}

/* The effective capability set through capget(2); no libcap needed. */
static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {0};

	if (syscall(SYS_capget, &h, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

/*
 * The two switches a syscall can cost (docs/time.md): entering the kernel (a
 * null syscall) and, when it blocks, a sleep and wake, on the first server CPU
 * and across to a CPU outside the server set; what moves the second (the idle
 * driver and governor, a hypervisor). Unprobed, as host.null_syscall_ns.
 */
static void doctor_costs(const cpu_set_t *server)
{
	struct wakeup_cost same, cross;
	char detail[256], *hv;
	json_t *idle = hostinfo_cpuidle_json(), *st;
	int a = 0, b = -1;
	double ns;
	size_t i;

	while (a < CPU_SETSIZE - 1 && !CPU_ISSET(a, server))
		a++;
	for (int c = 0; c < sysconf(_SC_NPROCESSORS_ONLN) && c < CPU_SETSIZE && b < 0; c++)
		if (!CPU_ISSET(c, server))
			b = c;
	printf("\nwhere a request's time goes (CPU %d", a);
	if (b >= 0)
		printf(", and CPU %d as the client's", b);
	printf(")\n");
	if (nullsys_measure(a, &ns))
		ns = NAN;
	snprintf(detail, sizeof(detail), "%.0f ns (getppid)", ns);
	doctor_row("null syscall", isfinite(ns) ? "ok" : "FAIL", detail);
	if (wakeup_measure(a, a, &same))
		same.us = NAN;
	if (b < 0 || wakeup_measure(a, b, &cross))
		cross.us = NAN;
	snprintf(detail, sizeof(detail), "%.1f us on one CPU; %.1f us across CPUs", same.us,
		 cross.us);
	doctor_row("sleep and wake", isfinite(same.us) ? "ok" : "FAIL", detail);
	if (isfinite(ns) && isfinite(cross.us))
		printf(
		    "  a syscall costs %.2f us here; a sleep and wake across CPUs %.0f us, %.0fx\n",
		    ns / 1e3, cross.us, cross.us * 1e3 / ns);
	else if (isfinite(ns) && isfinite(same.us))
		printf("  a syscall costs %.2f us here; a sleep and wake %.1f us, %.0fx\n",
		       ns / 1e3, same.us, same.us * 1e3 / ns);
	snprintf(detail, sizeof(detail), "driver %s, governor %s, states",
		 json_string_value(json_object_get(idle, "driver"))
		     ? json_string_value(json_object_get(idle, "driver"))
		     : "none",
		 json_string_value(json_object_get(idle, "governor"))
		     ? json_string_value(json_object_get(idle, "governor"))
		     : "none");
	json_array_foreach(json_object_get(idle, "states"), i, st)
	{
		size_t n = strlen(detail);

		snprintf(detail + n, sizeof(detail) - n, "%s %s", i ? "," : "",
			 json_string_value(st));
	}
	doctor_row("cpuidle", "", detail);
	json_decref(idle);
	hv = hostinfo_hypervisor();
	doctor_row("virtualised", "", !hv ? "cannot tell" : hv[0] ? "yes" : "no (bare metal)");
	if (hv && hv[0])
		printf("  on a VM an idle vCPU halts and a wake is an IPI through the hypervisor: "
		       "docs/time.md\n");
	free(hv);
}

int cmd_doctor(int argc, char **argv)
{
	static const char *const tools[] = {"nginx", "haproxy", "wrk", "gnuplot"};
	struct doctor d = {0};
	char detail[256], *s;
	struct utsname u;
	struct rlimit rl;
	bool ring_ok, bufring, multishot;
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	cpu_set_t server;

	/* The server CPUs a run would use by default: CPU 0 (run.c). */
	CPU_ZERO(&server);
	CPU_SET(0, &server);
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: ringside doctor [--server-cpus LIST]\n\nChecks the kernel, "
		       "io_uring, privileges, limits and peer tools, lists the\nnoise sources "
		       "around the server CPUs (default 0, as `ringside run`), and\nsays which "
		       "cells a run would skip.\n\n  ringside doctor --server-cpus 2-3\n");
		return RS_EXIT_OK;
	}
	if (argc > 2 && !strcmp(argv[1], "--server-cpus")) {
		opt_cpus("server-cpus", argv[2], &server);
		argc -= 2;
		argv += 2;
	}
	if (argc > 1)
		usage_error("unexpected argument '%s'", argv[1]);
	uname(&u);
	printf("system\n");
	doctor_row("kernel", "", u.release);
	snprintf(detail, sizeof(detail), "%ld online (%ld configured)",
		 sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_NPROCESSORS_CONF));
	doctor_row("cpus", "", detail);
	snprintf(detail, sizeof(detail), "%lld MiB", (long long)pages * psz / (1024 * 1024));
	doctor_row("memory", "", detail);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		would_skip(&d, "nothing, but with %s CPU the server and client share it", "one");
	doctor_costs(&server);

	printf("\nio_uring\n");
	s = hostinfo_read_line("/proc/sys/kernel/io_uring_disabled");
	snprintf(detail, sizeof(detail), "%s%s", s ? s : "absent (kernel < 6.6: enabled)",
		 s && !strcmp(s, "0") ? " (enabled for all)"
		 : s		      ? " (restricted)"
				      : "");
	doctor_row("io_uring_disabled", s && strcmp(s, "0") ? "warn" : "ok", detail);
	free(s);
	ring_ok = try_ring(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, detail,
			   sizeof(detail)) == 0;
	doctor_row("ring (SINGLE_ISSUER|DEFER)", ring_ok ? "ok" : "FAIL", detail);
	if (!ring_ok && try_ring(0, detail, sizeof(detail)) != 0) {
		would_skip(&d, "uring and uring-sqpoll: %.150s", detail);
	} else {
		bool sq = try_ring(IORING_SETUP_SQPOLL, detail, sizeof(detail)) == 0;

		doctor_row("SQPOLL ring", sq ? "ok" : "FAIL", detail);
		if (!sq)
			would_skip(&d, "uring-sqpoll: SQPOLL refused (%.150s)", detail);
		try_multishot(&bufring, &multishot, detail, sizeof(detail));
		doctor_row("buffer ring", bufring ? "ok" : "FAIL",
			   bufring ? "io_uring_register_buf_ring" : detail);
		doctor_row("multishot recv", multishot ? "ok" : "FAIL", detail);
		if (!bufring || !multishot)
			would_skip(&d, "uring and uring-sqpoll: %.150s", detail);
	}

	printf("\nprivileges and limits\n");
	doctor_row("user", geteuid() == 0 ? "ok" : "warn", geteuid() == 0 ? "root" : "not root");
	doctor_row("CAP_BPF", has_cap(CAP_BPF) ? "ok" : "warn",
		   has_cap(CAP_BPF) ? "yes" : "no: BPF probes need it");
	doctor_row("CAP_SYS_ADMIN", has_cap(CAP_SYS_ADMIN) ? "ok" : "warn",
		   has_cap(CAP_SYS_ADMIN) ? "yes" : "no");
	if (probes_check(detail, sizeof(detail)) == 0) {
		doctor_row("BPF probes", "ok", "loaded (syscalls, context switches, io_uring)");
	} else {
		doctor_row("BPF probes", "warn", detail);
		would_skip(&d, "BPF figures (they will be null): %.120s", detail);
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	snprintf(detail, sizeof(detail), "soft %llu, hard %llu; 10,000 connections need %d",
		 (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max, NOFILE_NEEDED);
	doctor_row("RLIMIT_NOFILE", rl.rlim_max >= NOFILE_NEEDED ? "ok" : "warn", detail);
	if (rl.rlim_max < NOFILE_NEEDED)
		would_skip(&d, "connection counts near 10,000 may fail: %s", "hard RLIMIT_NOFILE");
	printf("\npeer tools\n");
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		char *v = hostinfo_tool_version(tools[i], peer_hostinfo_tools());

		doctor_row(tools[i], v ? "ok" : "miss", v ? v : "not installed");
		if (!v)
			would_skip(&d, "cells and charts that need %s", tools[i]);
		free(v);
	}
	s = hostinfo_tool_version("libbpf", NULL);
	doctor_row("libbpf", s ? "ok" : "miss", s ? s : "not installed");
	free(s);
	doctor_row("liburing", "", hostinfo_liburing_version());
	doctor_row("jansson", "", JANSSON_VERSION);

	doctor_noise(&server);

	printf("\na run would skip: %s\n", d.nskips ? "" : "nothing");
	for (int i = 0; i < d.nskips; i++)
		printf("  - %s\n", d.skips[i]);
	return RS_EXIT_OK;
}
