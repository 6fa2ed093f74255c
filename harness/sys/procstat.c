/*
 * /proc sampling (procstat.h): per-thread CPU and context switches from
 * /proc/PID/task/TID/ (ticks from stat, nanoseconds from schedstat), each
 * process's CPU clock, RSS from /proc/PID/status, per-CPU ticks from /proc/stat.
 */
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sys/procstat.h"
#include "log.h"

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

/* utime and stime: fields 14 and 15 of stat, counted after the ")" that ends comm. */
static int parse_stat(const char *s, uint64_t *ut, uint64_t *st)
{
	const char *p = strrchr(s, ')');
	unsigned long long u, k;

	if (!p)
		return -1;
	/* after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &u, &k) != 2)
		return -1;
	*ut = u;
	*st = k;
	return 0;
}

/* schedstat's first field, the thread's sum_exec_runtime in ns; -1 without the file. */
static int read_run_ns(pid_t pid, pid_t tid, uint64_t *ns)
{
	char path[64], buf[128];
	unsigned long long v;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	if (read_file(path, buf, sizeof(buf)) < 0 || sscanf(buf, "%llu", &v) != 1)
		return -1;
	*ns = v;
	return 0;
}

/* The process's CPU clock: every thread's runtime, exited ones included, in ns. */
static bool read_proc_clock(pid_t pid, uint64_t *ns)
{
	struct timespec ts;
	clockid_t clk;

	if (clock_getcpuclockid(pid, &clk) || clock_gettime(clk, &ts))
		return false;
	*ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return true;
}

static uint64_t status_field(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static enum proc_class classify(const char *comm)
{
	if (!strncmp(comm, "iou-sqp-", 8))
		return PROC_SQPOLL;
	if (!strncmp(comm, "iou-wrk-", 8))
		return PROC_IOU_WRK;
	return PROC_USER;
}

/* Appends t to s, growing it; -1 when out of memory. */
static int snap_push(struct proc_snap *s, const struct proc_thread *t)
{
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 64;
		struct proc_thread *nt = realloc(s->t, cap * sizeof(*nt));

		if (!nt)
			return -1;
		s->t = nt;
		s->cap = cap;
	}
	s->t[s->n++] = *t;
	return 0;
}

int proc_snapshot(pid_t pid, struct proc_snap *s)
{
	char path[64], buf[8192];
	struct dirent *de;
	uint64_t before = 0;
	bool clock_ok;
	DIR *d;

	s->n = 0;
	s->schedstat = false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || parse_stat(buf, &s->utime, &s->stime))
		return -1;
	/* The clock on both sides of the threads' reading (procstat.h's lower bound). */
	clock_ok = read_proc_clock(pid, &before);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) && s->n < 100000) {
		struct proc_thread t = {0};
		char comm[64];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		t.tid = atoi(de->d_name);
		t.pid = pid;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)t.tid);
		if (read_file(path, buf, sizeof(buf)) < 0 || parse_stat(buf, &t.utime, &t.stime))
			continue; /* the thread just exited */
		t.have_run_ns = read_run_ns(pid, t.tid, &t.run_ns) == 0;
		s->schedstat = s->schedstat || t.have_run_ns;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)t.tid);
		if (read_file(path, comm, sizeof(comm)) < 0)
			comm[0] = '\0';
		t.cls = classify(comm);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)t.tid);
		if (read_file(path, buf, sizeof(buf)) >= 0) {
			t.vol = status_field(buf, "\nvoluntary_ctxt_switches:");
			t.invol = status_field(buf, "\nnonvoluntary_ctxt_switches:");
		}
		if (snap_push(s, &t))
			break;
	}
	closedir(d);
	s->self = (struct proc_total){
	    .pid = pid, .utime = s->utime, .stime = s->stime, .run_ns_before = before};
	s->self.have_run_ns = read_proc_clock(pid, &s->self.run_ns_after) && clock_ok;
	s->rss_kib = proc_rss_kib(pid, &s->hwm_kib);
	return s->n ? 0 : -1;
}

int proc_cpu_ticks(pid_t pid, uint64_t *ticks)
{
	char path[64], buf[4096];
	uint64_t ut, st;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || parse_stat(buf, &ut, &st))
		return -1;
	*ticks = ut + st;
	return 0;
}

void proc_snap_free(struct proc_snap *s)
{
	free(s->t);
	free(s->procs);
	memset(s, 0, sizeof(*s));
}

/* b - a, or all of b when a is absent or larger (a new thread, a reused id). */
static uint64_t since(const uint64_t *a, uint64_t b)
{
	return b - (a && *a <= b ? *a : 0);
}

static const struct proc_thread *thread_in(const struct proc_snap *s, pid_t tid)
{
	for (int j = 0; j < s->n; j++)
		if (s->t[j].tid == tid)
			return &s->t[j];
	return NULL;
}

/* The snapshot's processes: its group's, or the one it was taken of. */
static int snap_procs(const struct proc_snap *s, const struct proc_total **p)
{
	*p = s->nprocs ? s->procs : &s->self;
	return s->nprocs ? s->nprocs : 1;
}

/* sched_* of u: the rule of procstat.h, process by process. */
static void sched_delta(const struct proc_snap *a, const struct proc_snap *b, struct proc_usage *u)
{
	double ns_per_tick = 1e9 / (double)sysconf(_SC_CLK_TCK);
	const struct proc_total *pa, *pb;
	int na = snap_procs(a, &pa), nb = snap_procs(b, &pb);
	uint64_t ns = 0, exited_ns = 0, ticks_ns = 0;

	u->schedstat = a->schedstat && b->schedstat;
	if (!u->schedstat) {
		u->sched_us = u->user_us + u->system_us + u->sqpoll_us + u->iou_wrk_us;
		u->sched_sqpoll_us = u->sqpoll_us;
		u->sched_iou_wrk_us = u->iou_wrk_us;
		u->sched_ticks_us = u->sched_us;
		return;
	}
	for (int i = 0; i < nb; i++) {
		const struct proc_total *p = &pb[i], *p0 = NULL;
		uint64_t thr_ns = 0, thr_ticks = 0;

		for (int j = 0; j < na && !p0; j++)
			if (pa[j].pid == p->pid)
				p0 = &pa[j];
		for (int k = 0; k < b->n; k++) {
			const struct proc_thread *t = &b->t[k], *t0;
			uint64_t d;

			if (t->pid != p->pid || !t->have_run_ns)
				continue; /* not this process's, or gone: in the remainder */
			t0 = p0 ? thread_in(a, t->tid) : NULL;
			if (t0 && !t0->have_run_ns)
				t0 = NULL;
			d = since(t0 ? &t0->run_ns : NULL, t->run_ns);
			thr_ns += d;
			thr_ticks += since(t0 ? &t0->utime : NULL, t->utime) +
				     since(t0 ? &t0->stime : NULL, t->stime);
			if (t->cls == PROC_SQPOLL)
				u->sched_sqpoll_us += d / 1e3;
			else if (t->cls == PROC_IOU_WRK)
				u->sched_iou_wrk_us += d / 1e3;
		}
		ns += thr_ns;
		if (p->have_run_ns && (!p0 || p0->have_run_ns)) {
			/* From the end of a's reading to the start of b's: a lower bound. */
			uint64_t d = since(p0 ? &p0->run_ns_after : NULL, p->run_ns_before);

			exited_ns += d > thr_ns ? d - thr_ns : 0;
		} else {
			uint64_t d = since(p0 ? &p0->utime : NULL, p->utime) +
				     since(p0 ? &p0->stime : NULL, p->stime);
			uint64_t rest =
			    d > thr_ticks ? (uint64_t)((d - thr_ticks) * ns_per_tick) : 0;

			exited_ns += rest;
			ticks_ns += rest;
		}
	}
	ns += exited_ns;
	u->sched_us = ns / 1e3;
	u->sched_exited_us = exited_ns / 1e3;
	u->sched_ticks_us = ticks_ns / 1e3;
}

void proc_usage_delta(const struct proc_snap *a, const struct proc_snap *b, struct proc_usage *u)
{
	double us_per_tick = 1e6 / (double)sysconf(_SC_CLK_TCK);
	uint64_t io_ut = 0, io_st = 0;

	memset(u, 0, sizeof(*u));
	u->threads = b->n;
	for (int i = 0; i < b->n; i++) {
		const struct proc_thread *t = &b->t[i], *t0 = NULL;
		uint64_t ut, st;

		for (int j = 0; j < a->n && !t0; j++)
			if (a->t[j].tid == t->tid)
				t0 = &a->t[j];
		/* A thread born in the window counts from zero. */
		ut = t->utime - (t0 && t0->utime <= t->utime ? t0->utime : 0);
		st = t->stime - (t0 && t0->stime <= t->stime ? t0->stime : 0);
		u->voluntary += t->vol - (t0 && t0->vol <= t->vol ? t0->vol : 0);
		u->involuntary += t->invol - (t0 && t0->invol <= t->invol ? t0->invol : 0);
		if (t->cls == PROC_USER)
			continue;
		if (t->cls == PROC_SQPOLL)
			u->sqpoll_us += (ut + st) * us_per_tick;
		else
			u->iou_wrk_us += (ut + st) * us_per_tick;
		io_ut += ut;
		io_st += st;
	}
	/*
	 * Groups: process by process, so that one that exited inside the window
	 * loses only its own CPU (and one born in it counts from zero).
	 */
	if (a->nprocs && b->nprocs) {
		uint64_t ut = 0, st = 0;

		for (int i = 0; i < b->nprocs; i++) {
			const struct proc_total *p = &b->procs[i], *p0 = NULL;

			for (int j = 0; j < a->nprocs && !p0; j++)
				if (a->procs[j].pid == p->pid)
					p0 = &a->procs[j];
			ut += p->utime - (p0 && p0->utime <= p->utime ? p0->utime : 0);
			st += p->stime - (p0 && p0->stime <= p->stime ? p0->stime : 0);
		}
		u->user_us = ut >= io_ut ? (ut - io_ut) * us_per_tick : 0;
		u->system_us = st >= io_st ? (st - io_st) * us_per_tick : 0;
	} else {
		/* A process total never falls. */
		if (b->utime >= a->utime + io_ut)
			u->user_us = (b->utime - a->utime - io_ut) * us_per_tick;
		if (b->stime >= a->stime + io_st)
			u->system_us = (b->stime - a->stime - io_st) * us_per_tick;
	}
	sched_delta(a, b, u);
}

long proc_rss_kib(pid_t pid, long *hwm_kib)
{
	char path[64], buf[8192];
	const char *p;
	long rss = -1;

	if (hwm_kib)
		*hwm_kib = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	if ((p = strstr(buf, "\nVmRSS:")))
		rss = strtol(p + 7, NULL, 10);
	if (hwm_kib && (p = strstr(buf, "\nVmHWM:")))
		*hwm_kib = strtol(p + 7, NULL, 10);
	return rss;
}

/* Records one process's totals in s->procs; -1 when out of memory. */
static int snap_proc_push(struct proc_snap *s, const struct proc_total *p)
{
	if (s->nprocs % 16 == 0) {
		struct proc_total *np = realloc(s->procs, (s->nprocs + 16) * sizeof(*np));

		if (!np)
			return -1;
		s->procs = np;
	}
	s->procs[s->nprocs++] = *p;
	return 0;
}

int proc_snapshot_group(pid_t pid, const pid_t *more, int nmore, struct proc_snap *s)
{
	if (proc_snapshot(pid, s))
		return -1;
	s->nprocs = 0;
	if (snap_proc_push(s, &s->self))
		return -1;
	for (int i = 0; i < nmore; i++) {
		struct proc_snap w = {0};

		if (proc_snapshot(more[i], &w))
			continue; /* a worker that exited: its CPU is lost, not invented */
		if (snap_proc_push(s, &w.self)) {
			proc_snap_free(&w);
			break;
		}
		for (int j = 0; j < w.n; j++) {
			if (snap_push(s, &w.t[j]))
				break;
		}
		s->utime += w.utime;
		s->stime += w.stime;
		s->schedstat = s->schedstat || w.schedstat;
		if (w.rss_kib > 0 && s->rss_kib >= 0)
			s->rss_kib += w.rss_kib;
		if (w.hwm_kib > 0 && s->hwm_kib >= 0)
			s->hwm_kib += w.hwm_kib;
		proc_snap_free(&w);
	}
	return 0;
}

long proc_rss_group_kib(pid_t pid, const pid_t *more, int nmore)
{
	long rss = proc_rss_kib(pid, NULL);

	for (int i = 0; i < nmore && rss >= 0; i++) {
		long w = proc_rss_kib(more[i], NULL);

		if (w > 0)
			rss += w;
	}
	return rss;
}

/* ---- /proc/stat per CPU ---- */

int proc_cpustat_read(struct proc_cpustat *s)
{
	FILE *f = fopen("/proc/stat", "re");
	char line[512];

	proc_cpustat_free(s);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		struct proc_cputicks t = {0};
		unsigned long long v[8] = {0};
		int cpu;

		if (strncmp(line, "cpu", 3) || !isdigit((unsigned char)line[3]))
			continue;
		if (sscanf(line + 3, "%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 8 ||
		    cpu < 0 || cpu >= CPU_SETSIZE)
			continue;
		t = (struct proc_cputicks){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
		if (cpu >= s->ncpu) {
			struct proc_cputicks *n = realloc(s->cpu, (cpu + 1) * sizeof(*n));

			if (!n)
				break;
			memset(n + s->ncpu, 0, (cpu + 1 - s->ncpu) * sizeof(*n));
			s->cpu = n;
			s->ncpu = cpu + 1;
		}
		s->cpu[cpu] = t;
	}
	fclose(f);
	return s->ncpu ? 0 : -1;
}

void proc_cpustat_free(struct proc_cpustat *s)
{
	free(s->cpu);
	s->cpu = NULL;
	s->ncpu = 0;
}

static uint64_t tick_diff(uint64_t a, uint64_t b)
{
	return b >= a ? b - a : 0;
}

void proc_cpustat_delta(const struct proc_cpustat *a, const struct proc_cpustat *b,
			const cpu_set_t *set, struct proc_cputicks *d)
{
	memset(d, 0, sizeof(*d));
	for (int cpu = 0; cpu < a->ncpu && cpu < b->ncpu; cpu++) {
		const struct proc_cputicks *x = &a->cpu[cpu], *y = &b->cpu[cpu];

		if (!CPU_ISSET(cpu, set))
			continue;
		d->user += tick_diff(x->user, y->user);
		d->nice += tick_diff(x->nice, y->nice);
		d->system += tick_diff(x->system, y->system);
		d->idle += tick_diff(x->idle, y->idle);
		d->iowait += tick_diff(x->iowait, y->iowait);
		d->irq += tick_diff(x->irq, y->irq);
		d->softirq += tick_diff(x->softirq, y->softirq);
		d->steal += tick_diff(x->steal, y->steal);
	}
}

uint64_t proc_cputicks_busy(const struct proc_cputicks *t)
{
	return t->user + t->nice + t->system + t->irq + t->softirq;
}

uint64_t proc_cputicks_all(const struct proc_cputicks *t)
{
	return proc_cputicks_busy(t) + t->idle + t->iowait + t->steal;
}
