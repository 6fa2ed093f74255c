/*
 * ringside's own servers as a cell's server kind (server.h): ringside-echo or
 * ringside-proxy from this build with --model, pinned to the server CPUs, ready
 * through fd 3; they fork nothing, and a clean stop is exit 0.
 */
#include <limits.h>
#include <stdio.h>

#include "fsio.h"
#include "models.h"
#include "opts.h"
#include "run/servers/server.h"

static enum run_rc ours_spawn(struct run_state *st)
{
	const struct run_opts *o = st->o;
	char bin[PATH_MAX], cpus[256], sq[16], upstream[64], threads[16], work[24];
	char *argv[26 + RUN_MAX_SERVER_ARGS];
	int n = 0;

	snprintf(bin, sizeof(bin), "%s/%s", fs_exe_dir(), st->c->workload->server_bin);
	format_cpu_list(&o->server_cpus, cpus, sizeof(cpus));
	argv[n++] = bin;
	if (st->c->workload->origin_bin) {
		snprintf(upstream, sizeof(upstream), "127.0.0.1:%u", st->origin_port);
		snprintf(threads, sizeof(threads), "%d", CPU_COUNT(&o->server_cpus));
		argv[n++] = "--upstream";
		argv[n++] = upstream;
		argv[n++] = "--threads";
		argv[n++] = threads;
	}
	argv[n++] = "--model";
	argv[n++] = (char *)st->c->model;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--ready-fd";
	argv[n++] = "3";
	argv[n++] = "--cpus";
	argv[n++] = cpus;
	if (o->server_addr) {
		argv[n++] = "--host";
		argv[n++] = (char *)o->server_addr;
	}
	if (st->c->info->flags & MODEL_SQPOLL && o->sq_cpu >= 0) {
		snprintf(sq, sizeof(sq), "%d", o->sq_cpu);
		argv[n++] = "--sq-cpu";
		argv[n++] = sq;
	}
	if (o->work_us) {
		snprintf(work, sizeof(work), "%lu", o->work_us);
		argv[n++] = "--work-us";
		argv[n++] = work;
	}
	for (int i = 0; i < o->nserver_args; i++)
		argv[n++] = (char *)o->server_args[i];
	argv[n] = NULL;
	return server_spawn_ready(st, &st->server, "server", argv, &o->server_cpus, &st->port);
}

const struct server_kind server_ours = {
    .name = "ringside",
    .spawn = ours_spawn,
};
