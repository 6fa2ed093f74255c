/*
 * The BPF probes (bpf/probe.h) behind the cell hooks (cell.h): one loaded
 * probe serves every cell; it is attached only for probed runs, because an
 * attached sys_enter tracepoint slows every syscall on the machine. Needs root.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "cell.h"
#include "probes.h"
#include "log.h"
#include "nullsys.h"
#include "wakeup.h"
#include "probe.h"

static struct probe *probe;
static struct probe_snapshot snap_start, snap_stop;

static int hook_attach(pid_t server, char *err, size_t errlen)
{
	probe_clear_targets(probe);
	if (probe_add_target(probe, server, PROBE_ROLE_SERVER) || probe_attach(probe)) {
		snprintf(err, errlen, "cannot attach to the server: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int hook_add_server(pid_t pid, char *err, size_t errlen)
{
	if (probe_add_target(probe, pid, PROBE_ROLE_SERVER)) {
		snprintf(err, errlen, "cannot add server process %d: %s", (int)pid,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int hook_add_client(pid_t load, char *err, size_t errlen)
{
	if (probe_add_target(probe, load, PROBE_ROLE_CLIENT)) {
		snprintf(err, errlen, "cannot add the load generator: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int snapshot(struct probe_snapshot *s, char *err, size_t errlen)
{
	if (probe_snapshot(probe, s)) {
		snprintf(err, errlen, "cannot read the BPF counters: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int hook_start(char *err, size_t errlen)
{
	return snapshot(&snap_start, err, errlen);
}

static int hook_stop(char *err, size_t errlen)
{
	return snapshot(&snap_stop, err, errlen);
}

static void hook_detach(void)
{
	probe_detach(probe);
	probe_clear_targets(probe);
}

static void hook_fill(json_t *run, double requests)
{
	json_t *fig = probe_figures(&snap_start, &snap_stop, requests);
	const char *key;
	json_t *val;

	if (!fig)
		return;
	json_object_foreach(fig, key, val) json_object_set(run, key, val);
	json_decref(fig);
}

static const struct cell_probe_ops bpf_ops = {
    .attach = hook_attach,
    .add_server = hook_add_server,
    .add_client = hook_add_client,
    .start = hook_start,
    .stop = hook_stop,
    .detach = hook_detach,
    .fill = hook_fill,
};

int probes_init(const char *mode, const struct cell_probe_ops **ops, char *reason, size_t len)
{
	char why[200];

	*ops = NULL;
	snprintf(reason, len, "%s", "");
	if (!strcmp(mode, "off")) {
		snprintf(reason, len, "disabled with --probes off");
		return 0;
	}
	if (probe_open(&probe, why, sizeof(why))) {
		snprintf(reason, len, "%s", why);
		if (!strcmp(mode, "on")) {
			LOG_ERR("--probes on, but the BPF probes cannot load: %s", why);
			return -1;
		}
		return 0;
	}
	*ops = &bpf_ops;
	return 0;
}

void probes_fini(void)
{
	probe_close(probe);
	probe = NULL;
}

int probes_check(char *why, size_t len)
{
	struct probe *p;

	if (probe_open(&p, why, len))
		return -1;
	probe_close(p);
	return 0;
}

int probes_null_syscall(int cpu, double *unprobed, double *probed)
{
	*probed = NAN;
	if (nullsys_measure(cpu, unprobed))
		return -1;
	if (!probe || probe_attached(probe))
		return 0;
	/* No targets: every syscall pays the programs' filter, as an unrelated task would. */
	probe_clear_targets(probe);
	if (probe_attach(probe)) {
		LOG_WARN("cannot attach the probes to time a null syscall: %s", strerror(errno));
		return 0;
	}
	if (nullsys_measure(cpu, probed))
		*probed = NAN;
	probe_detach(probe);
	return 0;
}

int probes_wakeup(int cpu_a, int cpu_b, struct wakeup_cost *unprobed, struct wakeup_cost *probed)
{
	probed->us = NAN;
	if (wakeup_measure(cpu_a, cpu_b, unprobed))
		return -1;
	if (!probe || probe_attached(probe))
		return 0;
	probe_clear_targets(probe);
	if (probe_attach(probe)) {
		LOG_WARN("cannot attach the probes to time a sleep and wake: %s", strerror(errno));
		return 0;
	}
	if (wakeup_measure(cpu_a, cpu_b, probed))
		probed->us = NAN;
	probe_detach(probe);
	return 0;
}
