/*
 * The results document's top level as a run starts it (docs/results.md, schema
 * ringside/1): config, host (with the null-syscall cost measured now, which the
 * core's summaries read back from the document), probes, status. Summaries are
 * core/summary.c; the result directory is lib/fsio.h's fs_mkdir_fresh.
 */
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "probes.h"
#include "run/servers/peers.h"
#include "remote.h"
#include "results.h"
#include "sys/hostinfo.h"
#include "log.h"
#include "opts.h"
#include "utc.h"
#include "wakeup.h"

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* host.null_syscall_ns: one null syscall timed now on the first server CPU (bpf/nullsys.h). */
static json_t *null_syscall_json(const struct run_opts *o)
{
	double unprobed = NAN, probed = NAN;
	int cpu = 0;

	while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &o->server_cpus))
		cpu++;
	if (probes_null_syscall(cpu, &unprobed, &probed))
		PLOG_WARN("cannot time a null syscall on CPU %d", cpu);
	return json_pack("{s:o,s:o,s:i}", "unprobed", num_or_null(unprobed), "probed",
			 num_or_null(probed), "cpu", cpu);
}

/* The first CPU of set not in but (NULL: any), or -1. */
static int first_cpu(const cpu_set_t *set, const cpu_set_t *but)
{
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, set) && !(but && CPU_ISSET(cpu, but)))
			return cpu;
	return -1;
}

/* One layout's figures: the counted side's cost probed and unprobed, and its parts. */
static json_t *wakeup_layout(int a, int b, bool *ok)
{
	struct wakeup_cost u, p;

	*ok = false;
	if (b < 0 || probes_wakeup(a, b, &u, &p))
		return json_pack("{s:n,s:n,s:n,s:n,s:n,s:n}", "unprobed", "probed", "side_us",
				 "pair_us", "wall_us", "client_cpu");
	*ok = true;
	return json_pack("{s:f,s:o,s:[f,f],s:f,s:f,s:i}", "unprobed", u.us, "probed",
			 num_or_null(p.us), "side_us", u.side_us[0], u.side_us[1], "pair_us",
			 u.pair_us, "wall_us", u.wall_us, "client_cpu", b);
}

/*
 * host.wakeup_cpu_us: a sleep and wake on the first server CPU (same_cpu) and
 * between it and the first client CPU that is not a server CPU (cross_cpu;
 * null where every client CPU is a server CPU). "charged" names the one
 * wakeup_share uses (core/summary.c reads it back from the document): same_cpu
 * where the client shares the server's CPUs, else cross_cpu (the client's sends
 * wake the server across CPUs).
 */
static json_t *wakeup_json(const struct run_opts *o)
{
	int a = first_cpu(&o->server_cpus, NULL), b = first_cpu(&o->client_cpus, &o->server_cpus);
	bool same_ok, cross_ok;
	json_t *j;

	if (a < 0)
		a = 0;
	j = json_pack("{s:o,s:o,s:i,s:s,s:i,s:i}", "same_cpu", wakeup_layout(a, a, &same_ok),
		      "cross_cpu", wakeup_layout(a, b, &cross_ok), "server_cpu", a, "charged",
		      b < 0 ? "same_cpu" : "cross_cpu", "round_trips", WAKEUP_ROUND_TRIPS, "passes",
		      WAKEUP_PASSES);
	if (!same_ok || (b >= 0 && !cross_ok))
		PLOG_WARN("cannot time a sleep and wake on CPU %d%s", a,
			  b >= 0 ? " and across CPUs" : "");
	return j;
}

json_t *results_new(const struct run_opts *o, const struct cell_plan *plan, const char *probes_off,
		    const char *command)
{
	json_t *doc = json_object(), *cfg = run_config_json(o), *probes, *host;
	char now[40];

	if (plan->probes)
		probes = json_pack("{s:s,s:n}", "mode", "bpf", "reason");
	else
		probes = json_pack("{s:s,s:s}", "mode", "off", "reason", probes_off);
	utc_now(now, sizeof(now), false);
	json_object_set_new(doc, "schema", json_string("ringside/1"));
	json_object_set_new(doc, "suite", json_string(o->suite));
	json_object_set_new(doc, "status", json_string("running"));
	json_object_set_new(doc, "started_at", json_string(now));
	json_object_set_new(doc, "finished_at", json_null());
	json_object_set_new(doc, "command", json_string(command));
	host = hostinfo_json(peer_hostinfo_tools());
	json_object_set_new(host, "null_syscall_ns", null_syscall_json(o));
	json_object_set_new(host, "wakeup_cpu_us", wakeup_json(o));
	json_object_set_new(doc, "host", host);
	json_object_set_new(doc, "config", cfg);
	json_object_set_new(doc, "probes", probes);
	json_object_set_new(doc, "cells", json_array());
	json_object_set_new(doc, "verdicts", json_array());
	return doc;
}

void results_set_status(json_t *doc, const char *status)
{
	char now[40];

	json_object_set_new(doc, "status", json_string(status));
	if (strcmp(status, "running")) {
		utc_now(now, sizeof(now), false);
		json_object_set_new(doc, "finished_at", json_string(now));
	}
}
