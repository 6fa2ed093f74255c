/*
 * Is a run's figure trustworthy? From /proc/stat per-CPU ticks read at the same
 * moments as the server's /proc snapshots: steal on the server and client CPUs,
 * CPU on the server CPUs that the server did not use (foreign), the server's and
 * client's utilisation (what bound the run), and CPU per request by the cores.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cell_run.h"
#include "core/bound.h"
#include "sys/ptree.h"
#include "clock.h"

#define NOISY_STEAL_PCT	  2.0
#define NOISY_FOREIGN_PCT 5.0

/*
 * What our own processes on the client side have spent so far: the load
 * generator, the origin with whatever it forked (nginx's workers), and ringside
 * itself (pinned there by run.c). False when the load generator is not ours to
 * read (remote) or a process could not be read.
 */
static bool side_ticks(const struct run_state *st, uint64_t *ticks)
{
	pid_t kids[RS_MAX_WORKERS];
	uint64_t t;
	int n;

	*ticks = 0;
	if (st->o->remote || st->load.pid <= 0 || proc_cpu_ticks(st->load.pid, &t))
		return false;
	*ticks += t;
	if (proc_cpu_ticks(getpid(), &t))
		return false;
	*ticks += t;
	if (st->origin.pid > 0) {
		if (proc_cpu_ticks(st->origin.pid, &t))
			return false;
		*ticks += t;
		n = ptree_descendants(st->origin.pid, kids, RS_MAX_WORKERS);
		for (int i = 0; i < n; i++) {
			if (!proc_cpu_ticks(kids[i], &t))
				*ticks += t;
		}
	}
	return true;
}

void cell_noise_sample(struct run_state *st, bool start)
{
	FILE *f;

	if (start) {
		st->snap_ns0 = now_ns();
		proc_cpustat_read(&st->cpu0);
		st->side_ok0 = side_ticks(st, &st->side_ticks0);
		return;
	}
	st->snap_ns1 = now_ns();
	proc_cpustat_read(&st->cpu1);
	st->side_ok1 = side_ticks(st, &st->side_ticks1);
	st->loadavg_1m = -1;
	f = fopen("/proc/loadavg", "re");
	if (f) {
		if (fscanf(f, "%lf", &st->loadavg_1m) != 1)
			st->loadavg_1m = -1;
		fclose(f);
	}
}

static json_t *num_or_null(double v, bool ok)
{
	return ok && isfinite(v) ? json_real(v) : json_null();
}

/* The load generator's cpu.utilisation, < 0 when absent. */
static double client_utilisation(const json_t *load)
{
	const json_t *v = json_object_get(json_object_get(load, "cpu"), "utilisation");

	return json_is_number(v) ? json_number_value(v) : -1;
}

/*
 * Foreign CPU on the client side: the user and system ticks of the client CPUs
 * (and the origin's, for proxy cells) less what our processes there spent (side_ticks),
 * as % of window x those CPUs. A client that lags its schedule or reads as busy
 * may be sharing its core with someone else; this says so. NAN when it cannot be told apart: a
 * remote load generator, or a layout where the server (or its SQPOLL thread) shares those CPUs.
 */
static void client_foreign_pct(const struct run_state *st, const cpu_set_t *sset, double window_us,
			       double us_per_tick, double *pct, double *tick_pct)
{
	const struct run_opts *o = st->o;
	double own_us, busy_us, cap_us;
	struct proc_cputicks d;
	cpu_set_t cset, both;
	int n;

	*pct = NAN;
	*tick_pct = 0;
	cset = o->client_cpus;
	if (st->origin.pid > 0)
		CPU_OR(&cset, &cset, &o->origin_cpus);
	CPU_AND(&both, &cset, sset);
	n = CPU_COUNT(&cset);
	if (!st->side_ok0 || !st->side_ok1 || !n || CPU_COUNT(&both) || window_us <= 0)
		return;
	proc_cpustat_delta(&st->cpu0, &st->cpu1, &cset, &d);
	own_us = (double)(st->side_ticks1 - st->side_ticks0) * us_per_tick;
	/*
	 * Process time only: irq and softirq ticks on the client's CPUs are mostly its
	 * own wakeups (timer and network interrupts taken while it sleeps, charged to
	 * no process), about 15% of a core at 4,000 open-loop req/s on the reference VM.
	 */
	busy_us = (double)(d.user + d.nice + d.system) * us_per_tick;
	cap_us = window_us * n;
	*pct = busy_us > own_us ? 100.0 * (busy_us - own_us) / cap_us : 0;
	/* As for the server CPUs, plus a tick of rounding per process read (three). */
	*tick_pct = 100.0 * us_per_tick * (2.0 * n + 3) / cap_us;
}

void cell_noise_fill(const struct run_state *st, const struct proc_usage *u, double req,
		     json_t *run, json_t *server)
{
	const struct run_opts *o = st->o;
	double us_per_tick = 1e6 / (double)sysconf(_SC_CLK_TCK);
	double window_us = (double)(st->snap_ns1 - st->snap_ns0) / 1e3;
	struct proc_cputicks srv, all;
	cpu_set_t sset, aset;
	double own_us, busy_us, cap_us, steal = NAN, foreign = NAN, util = -1, tick_pct = 0;
	double cforeign, ctick_pct;
	int nsrv;

	if (!u || !st->cpu0.ncpu || !st->cpu1.ncpu || st->snap_ns1 <= st->snap_ns0) {
		json_object_set_new(run, "noise", json_null());
		json_object_set_new(run, "server_cpu_utilisation", json_null());
		json_object_set_new(run, "bound", json_null());
		json_object_set_new(server, "cpu_us_per_request_core", json_null());
		return;
	}
	/* An SQPOLL thread pinned off the server CPUs still works for the server. */
	sset = o->server_cpus;
	if (u->sqpoll_us > 0 && o->sq_cpu >= 0 && o->sq_cpu < CPU_SETSIZE)
		CPU_SET(o->sq_cpu, &sset);
	CPU_OR(&aset, &sset, &o->client_cpus);
	nsrv = CPU_COUNT(&sset);
	proc_cpustat_delta(&st->cpu0, &st->cpu1, &sset, &srv);
	proc_cpustat_delta(&st->cpu0, &st->cpu1, &aset, &all);

	own_us = u->user_us + u->system_us + u->sqpoll_us + u->iou_wrk_us;
	busy_us = (double)proc_cputicks_busy(&srv) * us_per_tick;
	cap_us = window_us * nsrv;
	if (proc_cputicks_all(&all))
		steal = 100.0 * (double)all.steal / (double)proc_cputicks_all(&all);
	if (cap_us > 0) {
		foreign = busy_us > own_us ? 100.0 * (busy_us - own_us) / cap_us : 0;
		util = own_us / cap_us;
		/*
		 * Both sides of the difference are counted in clock ticks, each read
		 * twice: up to two ticks per server CPU of it can be rounding, not
		 * another process. Only foreign CPU beyond that makes a run noisy (a
		 * 0.5 s window resolves 4 %, so 5 % alone would flag rounding).
		 */
		tick_pct = 100.0 * 2 * us_per_tick * nsrv / cap_us;
	}
	client_foreign_pct(st, &sset, window_us, us_per_tick, &cforeign, &ctick_pct);
	json_object_set_new(
	    run, "noise",
	    json_pack("{s:o,s:o,s:o,s:o,s:b}", "steal_pct", num_or_null(steal, !isnan(steal)),
		      "foreign_cpu_pct", num_or_null(foreign, !isnan(foreign)),
		      "client_foreign_cpu_pct", num_or_null(cforeign, !isnan(cforeign)),
		      "loadavg_1m", num_or_null(st->loadavg_1m, st->loadavg_1m >= 0), "noisy",
		      (!isnan(steal) && steal > NOISY_STEAL_PCT) ||
			  (!isnan(foreign) && foreign - tick_pct > NOISY_FOREIGN_PCT) ||
			  (!isnan(cforeign) && cforeign - ctick_pct > NOISY_FOREIGN_PCT)));
	json_object_set_new(run, "server_cpu_utilisation", num_or_null(util, util >= 0));
	json_object_set_new(run, "bound", bound_json(util, client_utilisation(st->load_json)));
	json_object_set_new(server, "cpu_us_per_request_core", num_or_null(busy_us / req, req > 0));
}
