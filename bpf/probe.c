/*
 * The rs_probe loader: opens, configures, loads, attaches and reads the
 * counters.bpf.c skeleton, and turns two snapshots into the results.json
 * figures. Needs root, kernel BTF and libbpf >= 1.0. See probe.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "counters.skel.h"
#include "log.h"
#include "probe.h"
#include "syscall_names.h"

struct probe {
	struct counters_bpf *skel;
	bool attached;
	__u64 missing; /* PROBE_MISSING_*: optional programs not loaded */
	int ncpus;
	void *buf; /* per-CPU values of the largest map, for snapshots */
	size_t buflen;
	__u32 *keys;
};

/* The last libbpf warning, for a one-line reason when loading fails. */
static char libbpf_last[200];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list aq;
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	va_copy(aq, ap);
	vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, aq);
	va_end(aq);
	n = strlen(libbpf_last);
	while (n && (libbpf_last[n - 1] == '\n' || libbpf_last[n - 1] == ' '))
		libbpf_last[--n] = '\0';
	return rs_verbose ? vfprintf(stderr, fmt, ap) : 0;
}

/*
 * Kernels without io_uring (or some of its tracepoints) still get the other
 * counters: a program whose tracepoint is not in the kernel's BTF is not loaded,
 * and its PROBE_MISSING_* bit (0: no figure depends on it alone) is returned.
 * io_uring_local_work_run came with IORING_SETUP_DEFER_TASKRUN (6.1): without
 * it there is no such ring, so task_work is still complete.
 */
static __u64 skip_missing_tracepoints(struct counters_bpf *skel)
{
	const struct {
		const char *tp;
		struct bpf_program *prog;
		__u64 bit;
	} opt[] = {
	    {"btf_trace_io_uring_create", skel->progs.on_ring_create, 0},
	    {"btf_trace_io_uring_submit_req", skel->progs.on_submit, 0},
	    {"btf_trace_io_uring_complete", skel->progs.on_complete, 0},
	    {"btf_trace_io_uring_queue_async_work", skel->progs.on_iowq_punt, PROBE_MISSING_IOWQ},
	    {"btf_trace_io_uring_poll_arm", skel->progs.on_poll_arm, PROBE_MISSING_POLL_ARM},
	    {"btf_trace_io_uring_task_work_run", skel->progs.on_task_work, PROBE_MISSING_TASK_WORK},
	    {"btf_trace_io_uring_local_work_run", skel->progs.on_local_work, 0},
	    {"btf_trace_io_uring_cqe_overflow", skel->progs.on_cq_overflow, PROBE_MISSING_OVERFLOW},
	};
	struct btf *vmlinux = btf__load_vmlinux_btf();
	__u64 missing = 0;

	if (!vmlinux)
		return 0;
	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
		if (btf__find_by_name_kind(vmlinux, opt[i].tp, BTF_KIND_TYPEDEF) < 0) {
			LOG_DBG("kernel has no %s: not counting it", opt[i].tp);
			bpf_program__set_autoload(opt[i].prog, false);
			missing |= opt[i].bit;
		}
	}
	btf__free(vmlinux);
	return missing;
}

int probe_open(struct probe **out, char *why, size_t whylen)
{
	struct probe *p;
	int err;

	*out = NULL;
	if (geteuid() != 0) {
		snprintf(why, whylen, "not root: the BPF probes need CAP_BPF and CAP_PERFMON");
		err = -EPERM;
		goto fail;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		snprintf(why, whylen, "no kernel BTF (/sys/kernel/btf/vmlinux): %s",
			 strerror(errno));
		err = -ENOENT;
		goto fail;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(why, whylen, "out of memory");
		err = -ENOMEM;
		goto fail;
	}
	p->ncpus = libbpf_num_possible_cpus();
	if (p->ncpus <= 0) {
		snprintf(why, whylen, "cannot count possible CPUs: %s", strerror(-p->ncpus));
		err = p->ncpus;
		goto free_probe;
	}
	p->buflen =
	    (size_t)PROBE_ROLES * PROBE_NR_SYSCALLS * p->ncpus * sizeof(struct probe_syscall_time);
	if (p->buflen < PROBE_ROLES * p->ncpus * sizeof(struct probe_role_counts))
		p->buflen = PROBE_ROLES * p->ncpus * sizeof(struct probe_role_counts);
	p->buf = malloc(p->buflen);
	p->keys = calloc(PROBE_ROLES * PROBE_NR_SYSCALLS, sizeof(*p->keys));
	if (!p->buf || !p->keys) {
		snprintf(why, whylen, "out of memory");
		err = -ENOMEM;
		goto free_bufs;
	}

	libbpf_set_print(libbpf_print);
	libbpf_last[0] = '\0';
	p->skel = counters_bpf__open();
	if (!p->skel) {
		err = -errno;
		snprintf(why, whylen, "cannot open the BPF object: %s", strerror(errno));
		goto free_bufs;
	}

	/* Configure: settings are read-only globals from here on. */
	p->skel->rodata->max_syscall = PROBE_NR_SYSCALLS;
	p->skel->rodata->follow_forks = true;
	p->missing = skip_missing_tracepoints(p->skel);

	err = counters_bpf__load(p->skel);
	if (err) {
		snprintf(why, whylen, "loading the BPF programs failed: %s%s%s", strerror(-err),
			 libbpf_last[0] ? "; " : "", libbpf_last);
		goto destroy;
	}
	*out = p;
	return 0;

destroy:
	counters_bpf__destroy(p->skel);
free_bufs:
	free(p->keys);
	free(p->buf);
free_probe:
	free(p);
fail:
	errno = -err;
	return -1;
}

int probe_add_target(struct probe *p, pid_t tgid, int role)
{
	__u32 key = (__u32)tgid, val = (__u32)role;

	if (tgid <= 0 || (role != PROBE_ROLE_SERVER && role != PROBE_ROLE_CLIENT)) {
		errno = EINVAL;
		return -1;
	}
	if (bpf_map__update_elem(p->skel->maps.targets, &key, sizeof(key), &val, sizeof(val),
				 BPF_ANY)) {
		return -1;
	}
	return 0;
}

/* Deletes every key of a hash map; keys are collected first, then deleted. */
static void clear_hash(struct bpf_map *map, size_t keysz, size_t max)
{
	char *keys = calloc(max, keysz);
	size_t n = 0;

	if (!keys)
		return;
	while (n < max && !bpf_map__get_next_key(map, n ? keys + (n - 1) * keysz : NULL,
						 keys + n * keysz, keysz))
		n++;
	for (size_t i = 0; i < n; i++)
		bpf_map__delete_elem(map, keys + i * keysz, keysz, 0);
	free(keys);
}

void probe_clear_targets(struct probe *p)
{
	p->skel->bss->epoch++; /* intervals a forgotten target had open are void */
	clear_hash(p->skel->maps.targets, sizeof(__u32), PROBE_MAX_TARGETS);
	clear_hash(p->skel->maps.rings, sizeof(__u64), PROBE_MAX_RINGS);
}

int probe_attach(struct probe *p)
{
	int err;

	if (p->attached)
		return 0;
	p->skel->bss->epoch++; /* intervals open at the last detach are void */
	err = counters_bpf__attach(p->skel);
	if (err) {
		counters_bpf__detach(p->skel);
		errno = -err;
		return -1;
	}
	p->attached = true;
	return 0;
}

void probe_detach(struct probe *p)
{
	if (!p->attached)
		return;
	counters_bpf__detach(p->skel);
	p->attached = false;
}

bool probe_attached(const struct probe *p)
{
	return p->attached;
}

/*
 * Sums a PERCPU_ARRAY of n values of vsize bytes (a multiple of 8, all __u64)
 * into out. One batch lookup when the kernel allows it, else key by key.
 */
static int sum_percpu(struct probe *p, struct bpf_map *map, __u32 n, size_t vsize, __u64 *out)
{
	int fd = bpf_map__fd(map);
	size_t words = vsize / sizeof(__u64), stride = vsize * p->ncpus;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = n, out_batch = 0;
	int err;

	memset(out, 0, n * vsize);
	err = bpf_map_lookup_batch(fd, NULL, &out_batch, p->keys, p->buf, &count, &opts);
	if ((err && errno != ENOENT) || count != n) {
		for (__u32 k = 0; k < n; k++) {
			p->keys[k] = k;
			if (bpf_map_lookup_elem(fd, &k, (char *)p->buf + k * stride))
				return -1;
		}
	}
	for (__u32 i = 0; i < n; i++) {
		const __u64 *v = (const __u64 *)((const char *)p->buf + i * stride);
		__u32 k = p->keys[i];

		if (k >= n)
			continue;
		for (int cpu = 0; cpu < p->ncpus; cpu++)
			for (size_t w = 0; w < words; w++)
				out[k * words + w] += v[cpu * words + w];
	}
	return 0;
}

int probe_snapshot(struct probe *p, struct probe_snapshot *s)
{
	if (sum_percpu(p, p->skel->maps.syscalls, PROBE_ROLES * PROBE_NR_SYSCALLS, sizeof(__u64),
		       &s->syscalls[0][0]))
		return -1;
	if (sum_percpu(p, p->skel->maps.syscall_time, PROBE_ROLES * PROBE_NR_SYSCALLS,
		       sizeof(struct probe_syscall_time), (__u64 *)&s->syscall_time[0][0]))
		return -1;
	s->missing = p->missing;
	return sum_percpu(p, p->skel->maps.roles, PROBE_ROLES, sizeof(struct probe_role_counts),
			  (__u64 *)s->role);
}

void probe_close(struct probe *p)
{
	if (!p)
		return;
	probe_detach(p);
	counters_bpf__destroy(p->skel);
	free(p->keys);
	free(p->buf);
	free(p);
}

void probe_delta(const struct probe_snapshot *a, const struct probe_snapshot *b,
		 struct probe_snapshot *d)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	__u64 missing = a->missing | b->missing, *z = (__u64 *)d;

	_Static_assert(sizeof(struct probe_snapshot) % sizeof(__u64) == 0, "all __u64");
	for (size_t i = 0; i < sizeof(*d) / sizeof(__u64); i++)
		z[i] = y[i] - x[i];
	d->missing = missing; /* flags, not a count */
}

__u64 probe_syscall_count(const struct probe_snapshot *s, int role, int nr)
{
	if (role < 1 || role > PROBE_ROLES || nr < 0 || nr >= PROBE_NR_SYSCALLS)
		return 0;
	return s->syscalls[role - 1][nr];
}

__u64 probe_syscall_total(const struct probe_snapshot *s, int role)
{
	__u64 total = 0;

	for (int nr = 0; nr < PROBE_NR_SYSCALLS; nr++)
		total += probe_syscall_count(s, role, nr);
	return total;
}

const struct probe_role_counts *probe_role(const struct probe_snapshot *s, int role)
{
	static const struct probe_role_counts none;

	return role >= 1 && role <= PROBE_ROLES ? &s->role[role - 1] : &none;
}

const struct probe_syscall_time *probe_syscall_time(const struct probe_snapshot *s, int role,
						    int nr)
{
	static const struct probe_syscall_time none;

	if (role < 1 || role > PROBE_ROLES || nr < 0 || nr >= PROBE_NR_SYSCALLS)
		return &none;
	return &s->syscall_time[role - 1][nr];
}

struct probe_syscall_time probe_syscall_time_total(const struct probe_snapshot *s, int role)
{
	struct probe_syscall_time sum = {0};

	for (int nr = 0; nr < PROBE_NR_SYSCALLS; nr++) {
		const struct probe_syscall_time *t = probe_syscall_time(s, role, nr);

		sum.on_cpu_ns += t->on_cpu_ns;
		sum.blocked_ns += t->blocked_ns;
	}
	return sum;
}

/* Bucket i of rq_hist holds [*low, *low + *width) ns (see counters.h). */
static void rq_bucket_range(int i, double *low, double *width)
{
	int m = i / PROBE_RQ_SUB + PROBE_RQ_SUB_BITS - 1, sub = i % PROBE_RQ_SUB;

	if (i < PROBE_RQ_SUB) {
		*low = i;
		*width = 1;
		return;
	}
	*low = (double)((__u64)(PROBE_RQ_SUB + sub) << (m - PROBE_RQ_SUB_BITS));
	*width = (double)(1ULL << (m - PROBE_RQ_SUB_BITS));
}

double probe_rq_delay_quantile_ns(const struct probe_snapshot *s, int role, double q)
{
	const struct probe_role_counts *c = probe_role(s, role);
	double n = 0, rank, seen = 0, low, width;

	for (int i = 0; i < PROBE_RQ_BUCKETS; i++)
		n += c->rq_hist[i];
	if (n <= 0 || q < 0 || q > 1)
		return -1;
	rank = q * n;
	for (int i = 0; i < PROBE_RQ_BUCKETS; i++) {
		if (!c->rq_hist[i] || seen + c->rq_hist[i] < rank) {
			seen += c->rq_hist[i];
			continue;
		}
		/* Linear within the bucket: one sample in it reads as its middle. */
		rq_bucket_range(i, &low, &width);
		return low + width * (rank - seen) / c->rq_hist[i];
	}
	rq_bucket_range(PROBE_RQ_BUCKETS - 1, &low, &width);
	return low + width;
}

const char *probe_missing(const struct probe_snapshot *s, __u64 bit)
{
	static const struct {
		__u64 bit;
		const char *why;
	} reasons[] = {
	    {PROBE_MISSING_IOWQ, "this kernel has no io_uring_queue_async_work tracepoint"},
	    {PROBE_MISSING_POLL_ARM, "this kernel has no io_uring_poll_arm tracepoint"},
	    {PROBE_MISSING_TASK_WORK, "this kernel has no io_uring_task_work_run tracepoint"},
	    {PROBE_MISSING_OVERFLOW, "this kernel has no io_uring_cqe_overflow tracepoint"},
	};

	if (!(s->missing & bit))
		return NULL;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].bit & bit)
			return reasons[i].why;
	return "this kernel lacks its tracepoint";
}

static char unknown_names[PROBE_NR_SYSCALLS][24]; /* "syscall_" and any int */
static pthread_once_t unknown_once = PTHREAD_ONCE_INIT;

static void name_unknown(void)
{
	for (int nr = 0; nr < PROBE_NR_SYSCALLS; nr++)
		snprintf(unknown_names[nr], sizeof(unknown_names[nr]), "syscall_%d", nr);
}

const char *probe_syscall_name(int nr)
{
	if (nr >= 0 && nr < PROBE_SYSCALL_TABLE_SIZE && probe_syscall_table[nr])
		return probe_syscall_table[nr];
	if (nr < 0 || nr >= PROBE_NR_SYSCALLS)
		return "syscall_unknown";
	pthread_once(&unknown_once, name_unknown);
	return unknown_names[nr];
}

/* num / den, or null when den is not positive (no requests, no enter calls). */
static json_t *ratio(double num, double den)
{
	return den > 0 ? json_real(num / den) : json_null();
}

static json_t *syscall_figures(const struct probe_snapshot *d, int role, double requests)
{
	json_t *by_name = json_object();
	__u64 total = probe_syscall_total(d, role);

	for (int nr = 0; nr < PROBE_NR_SYSCALLS; nr++) {
		__u64 n = probe_syscall_count(d, role, nr);

		if (n)
			json_object_set_new(by_name, probe_syscall_name(nr), ratio(n, requests));
	}
	return json_pack("{s:I, s:o, s:o}", "total", (json_int_t)total, "per_request",
			 ratio(total, requests), "by_name", by_name);
}

/*
 * {"total": us, "by_name": {name: us}} per request, of on-CPU (blocked false)
 * or blocked time in syscalls; by_name lists the syscalls called or timed.
 */
static json_t *syscall_time_figures(const struct probe_snapshot *d, int role, bool blocked,
				    double requests)
{
	struct probe_syscall_time sum = probe_syscall_time_total(d, role);
	json_t *by_name = json_object();

	for (int nr = 0; nr < PROBE_NR_SYSCALLS; nr++) {
		const struct probe_syscall_time *t = probe_syscall_time(d, role, nr);
		__u64 ns = blocked ? t->blocked_ns : t->on_cpu_ns;

		if (ns || probe_syscall_count(d, role, nr))
			json_object_set_new(by_name, probe_syscall_name(nr),
					    ratio(ns / 1e3, requests));
	}
	return json_pack("{s:o, s:o}", "total",
			 ratio((blocked ? sum.blocked_ns : sum.on_cpu_ns) / 1e3, requests),
			 "by_name", by_name);
}

/* A quantile in us, or null without samples. */
static json_t *rq_quantile(const struct probe_snapshot *d, int role, double q)
{
	double ns = probe_rq_delay_quantile_ns(d, role, q);

	return ns >= 0 ? json_real(ns / 1e3) : json_null();
}

static json_t *rq_figures(const struct probe_snapshot *d, int role, double requests)
{
	const struct probe_role_counts *c = probe_role(d, role);

	return json_pack("{s:o, s:o, s:o, s:I}", "p50", rq_quantile(d, role, 0.5), "p99",
			 rq_quantile(d, role, 0.99), "per_request",
			 ratio(c->rq_delay_ns / 1e3, requests), "samples",
			 (json_int_t)c->rq_delays);
}

static json_t *switch_figures(const struct probe_snapshot *d, int role, double requests)
{
	const struct probe_role_counts *c = probe_role(d, role);

	return json_pack("{s:o, s:o, s:o}", "voluntary", ratio(c->vcsw, requests), "involuntary",
			 ratio(c->ivcsw, requests), "voluntary_to_idle",
			 ratio(c->idle_sleeps, requests));
}

/*
 * Sets io[key] to fig, or to null when its tracepoint is missing, noting why
 * in unavailable["io_uring." key].
 */
static void set_hidden(json_t *io, json_t *unavailable, const struct probe_snapshot *d, __u64 bit,
		       const char *key, json_t *fig)
{
	const char *why = probe_missing(d, bit);
	char path[64];

	if (why) {
		json_decref(fig);
		json_object_set_new(io, key, json_null());
		snprintf(path, sizeof(path), "io_uring.%s", key);
		json_object_set_new(unavailable, path, json_string(why));
	} else {
		json_object_set_new(io, key, fig);
	}
}

static json_t *uring_figures(const struct probe_snapshot *d, double requests, json_t *unavailable)
{
	const struct probe_role_counts *srv = probe_role(d, PROBE_ROLE_SERVER);
	double enters = probe_syscall_count(d, PROBE_ROLE_SERVER, PROBE_NR_IO_URING_ENTER);
	json_t *io;

	io = json_pack("{s:o, s:o, s:o, s:o, s:o}", "enter_calls_per_request",
		       ratio(enters, requests), "sqes_per_enter", ratio(srv->sqes, enters),
		       "cqes_per_enter", ratio(srv->cqes, enters), "sqes_per_request",
		       ratio(srv->sqes, requests), "cqes_per_request", ratio(srv->cqes, requests));
	if (!io)
		return NULL;
	set_hidden(io, unavailable, d, PROBE_MISSING_IOWQ, "iowq_punts_per_request",
		   ratio(srv->iowq_punts, requests));
	set_hidden(io, unavailable, d, PROBE_MISSING_POLL_ARM, "poll_arms_per_request",
		   ratio(srv->poll_arms, requests));
	set_hidden(io, unavailable, d, PROBE_MISSING_TASK_WORK, "task_work_per_request",
		   ratio(srv->task_work, requests));
	set_hidden(io, unavailable, d, PROBE_MISSING_OVERFLOW, "cq_overflows",
		   json_integer((json_int_t)srv->cq_overflows));
	return io;
}

/* "server" and "client" objects, one per role, from fn. */
static json_t *by_role(json_t *(*fn)(const struct probe_snapshot *, int, double),
		       const struct probe_snapshot *d, double requests)
{
	return json_pack("{s:o, s:o}", "server", fn(d, PROBE_ROLE_SERVER, requests), "client",
			 fn(d, PROBE_ROLE_CLIENT, requests));
}

static json_t *on_cpu_figures(const struct probe_snapshot *d, int role, double requests)
{
	return syscall_time_figures(d, role, false, requests);
}

static json_t *blocked_figures(const struct probe_snapshot *d, int role, double requests)
{
	return syscall_time_figures(d, role, true, requests);
}

static json_t *wakeup_figures(const struct probe_snapshot *d, int role, double requests)
{
	return ratio(probe_role(d, role)->wakeups, requests);
}

json_t *probe_delta_figures(const struct probe_snapshot *d, double requests)
{
	json_t *out, *unavailable = json_object();

	if (!unavailable)
		return NULL;
	out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "syscalls",
			by_role(syscall_figures, d, requests), "syscall_time_us_per_request",
			by_role(on_cpu_figures, d, requests), "syscall_blocked_us_per_request",
			by_role(blocked_figures, d, requests), "runqueue_delay_us",
			by_role(rq_figures, d, requests), "wakeups_per_request",
			by_role(wakeup_figures, d, requests), "io_uring",
			uring_figures(d, requests, unavailable), "context_switches_bpf",
			by_role(switch_figures, d, requests));
	if (out && json_object_size(unavailable))
		json_object_set_new(out, "probe_unavailable", unavailable);
	else
		json_decref(unavailable);
	return out;
}

json_t *probe_figures(const struct probe_snapshot *a, const struct probe_snapshot *b,
		      double requests)
{
	struct probe_snapshot *d = malloc(sizeof(*d));
	json_t *out;

	if (!d)
		return NULL;
	probe_delta(a, b, d);
	out = probe_delta_figures(d, requests);
	free(d);
	return out;
}
