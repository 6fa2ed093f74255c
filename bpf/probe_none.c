/*
 * rs_probe in a build without the eBPF probes (RINGSIDE_BPF=OFF, or AUTO without
 * clang, bpftool, libbpf or kernel BTF): the probe.h API, whose probe_open fails
 * with the reason CMake gave (RS_BPF_MISSING), so `ringside doctor`, `ringside
 * trace` and results.json's probes.reason say why. Nothing else is reachable
 * without an open probe; those functions only satisfy the linker.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"

#ifndef RS_BPF_MISSING
#define RS_BPF_MISSING "no reason given"
#endif

int probe_open(struct probe **out, char *why, size_t whylen)
{
	*out = NULL;
	snprintf(why, whylen, "built without BPF: %s", RS_BPF_MISSING);
	errno = ENOTSUP;
	return -1;
}

int probe_add_target(struct probe *p, pid_t tgid, int role)
{
	errno = ENOTSUP;
	return -1;
}

void probe_clear_targets(struct probe *p)
{
}

int probe_attach(struct probe *p)
{
	errno = ENOTSUP;
	return -1;
}

void probe_detach(struct probe *p)
{
}

bool probe_attached(const struct probe *p)
{
	return false;
}

int probe_snapshot(struct probe *p, struct probe_snapshot *s)
{
	errno = ENOTSUP;
	return -1;
}

void probe_close(struct probe *p)
{
}

void probe_delta(const struct probe_snapshot *a, const struct probe_snapshot *b,
		 struct probe_snapshot *d)
{
	memset(d, 0, sizeof(*d));
}

__u64 probe_syscall_count(const struct probe_snapshot *s, int role, int nr)
{
	return 0;
}

__u64 probe_syscall_total(const struct probe_snapshot *s, int role)
{
	return 0;
}

const struct probe_role_counts *probe_role(const struct probe_snapshot *s, int role)
{
	static const struct probe_role_counts none;

	return &none;
}

const struct probe_syscall_time *probe_syscall_time(const struct probe_snapshot *s, int role,
						    int nr)
{
	static const struct probe_syscall_time none;

	return &none;
}

struct probe_syscall_time probe_syscall_time_total(const struct probe_snapshot *s, int role)
{
	return (struct probe_syscall_time){0};
}

double probe_rq_delay_quantile_ns(const struct probe_snapshot *s, int role, double q)
{
	return -1;
}

const char *probe_missing(const struct probe_snapshot *s, __u64 bit)
{
	return NULL;
}

json_t *probe_delta_figures(const struct probe_snapshot *d, double requests)
{
	return NULL;
}

json_t *probe_figures(const struct probe_snapshot *a, const struct probe_snapshot *b,
		      double requests)
{
	return NULL;
}

const char *probe_syscall_name(int nr)
{
	static __thread char name[32];

	snprintf(name, sizeof(name), "syscall_%d", nr);
	return name;
}
