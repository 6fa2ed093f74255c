/*
 * Starting the processes of one run around its server (servers/server.h): the
 * origin of a proxy cell (ringside-origin, or a peer with --origin), pinned and
 * waited for until it is ready, and the load generator, pinned, with its measured
 * window announced through a pipe.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cell_run.h"
#include "sys/ptree.h"
#include "load_cmd.h"
#include "run/servers/server.h"
#include "sys/proc.h"
#include "remote.h"
#include "fsio.h"
#include "models.h"
#include "log.h"
#include "clock.h"
#include "opts.h"

/* The origin of a proxy cell: ringside-origin, or a peer with --origin (nginx). */
enum run_rc cell_spawn_origin(struct run_state *st)
{
	const struct run_opts *o = st->o;
	char bin[PATH_MAX], cpus[256], body[24], threads[16];
	char *argv[16];
	int n = 0;
	enum run_rc rc;

	if (peer_tool_find(o->origin)) {
		struct peer_env e = server_peer_env(o, o->origin, true);
		char err[sizeof(st->reason)];

		if (!peer_start(&st->origin, "origin", o->origin, "origin", &e, st->c->connections,
				0, &st->origin_port, NULL, err, sizeof(err)))
			return RUN_OK;
		cell_fail(st, "%s", err);
		return run_interrupted ? RUN_INTERRUPTED : RUN_FAILED;
	}
	snprintf(bin, sizeof(bin), "%s/%s", fs_exe_dir(), st->c->workload->origin_bin);
	format_cpu_list(&o->origin_cpus, cpus, sizeof(cpus));
	snprintf(body, sizeof(body), "%lu", o->size);
	snprintf(threads, sizeof(threads), "%d", CPU_COUNT(&o->origin_cpus));
	argv[n++] = bin;
	argv[n++] = "--body-bytes";
	argv[n++] = body;
	argv[n++] = "--threads";
	argv[n++] = threads;
	argv[n++] = "--cpus";
	argv[n++] = cpus;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--ready-fd";
	argv[n++] = "3";
	argv[n] = NULL;
	rc = server_spawn_ready(st, &st->origin, "origin", argv, &o->origin_cpus, &st->origin_port);
	/* An origin the kernel refuses is our failure, not the model's: never a skip. */
	return rc == RUN_SKIPPED ? RUN_FAILED : rc;
}

int cell_spawn_load(struct run_state *st, int *phase_fd)
{
	const struct run_opts *o = st->o;
	char bin[PATH_MAX], target[64];
	struct load_cmd lc;
	int pfd[2];

	snprintf(bin, sizeof(bin), "%s/ringside-load", fs_exe_dir());
	remote_target(o->server_addr ? o->server_addr : "127.0.0.1", st->port, target,
		      sizeof(target));
	if (load_cmd_build(
		&lc, o, st->c,
		&(struct load_cmd_share){
		    .bin = bin, .target = target, .conns = st->c->connections, .rate = o->rate})) {
		cell_fail(st, "the load generator's command line does not fit");
		return -1;
	}
	if (access(bin, X_OK)) {
		cell_fail(st, "cannot execute %.200s: %s", bin, strerror(errno));
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		cell_fail(st, "pipe: %s", strerror(errno));
		return -1;
	}
	if (proc_spawn(&st->load, "load generator", (char *const *)lc.argv, pfd[1],
		       &o->client_cpus)) {
		close(pfd[0]);
		close(pfd[1]);
		cell_fail(st, "cannot start the load generator");
		return -1;
	}
	close(pfd[1]);
	*phase_fd = pfd[0];
	return 0;
}
