/*
 * Starting the processes of one run: the origin (proxy cells), the server (ours,
 * a peer from peers.c, or a --server from cell_custom.c), each pinned and waited for until it is
 * ready, and the load generator, pinned, with its measured window announced through a pipe.
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
#include "peers.h"
#include "sys/proc.h"
#include "remote.h"
#include "fsio.h"
#include "models.h"
#include "log.h"
#include "clock.h"
#include "opts.h"

#define READY_TIMEOUT_S 10
#define STOP_WAIT_MS	3000

static void cpus_str(const cpu_set_t *set, char *buf, size_t len)
{
	format_cpu_list(set, buf, len);
}

/*
 * Waits for "ready PORT\n" on fd (bounded; polls the server's pidfd too).
 * Returns RUN_OK with *port set, or the outcome with st->reason filled in.
 */
static enum run_rc wait_ready(struct run_state *st, struct proc_child *p, int fd, unsigned *port)
{
	uint64_t deadline = now_ns() + READY_TIMEOUT_S * 1000000000ull;
	char line[128];
	size_t used = 0;

	for (int iter = 0; iter < 100000; iter++) {
		struct pollfd pf[2] = {{.fd = fd, .events = POLLIN},
				       {.fd = p->pidfd, .events = POLLIN}};
		uint64_t now = now_ns();
		char *nl;
		ssize_t n;

		if (run_interrupted)
			return RUN_INTERRUPTED;
		if (now >= deadline) {
			cell_fail(st, "%s did not become ready within %d s", p->name,
				  READY_TIMEOUT_S);
			return RUN_FAILED;
		}
		if (poll(pf, 2, 100) <= 0)
			continue;
		if (pf[0].revents) {
			n = read(fd, line + used, sizeof(line) - 1 - used);
			if (n > 0) {
				used += n;
				line[used] = '\0';
				nl = strchr(line, '\n');
				if (nl && sscanf(line, "ready %u", port) == 1 && *port > 0)
					return RUN_OK;
				if (nl || used == sizeof(line) - 1) {
					cell_fail(st, "%s wrote a bad ready line", p->name);
					return RUN_FAILED;
				}
				continue;
			}
			/* EOF without the line: it is exiting; its status says why. */
			pf[1].revents = POLLIN;
		}
		if (pf[1].revents) {
			char how[96], last[200];

			proc_stop(p, STOP_WAIT_MS);
			proc_last_line(p->err_fd, last, sizeof(last));
			if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == RS_EXIT_UNSUPPORTED) {
				cell_fail(st, "%s",
					  last[0] ? last : "the kernel refuses this model");
				return RUN_SKIPPED;
			}
			proc_describe(p->status, how, sizeof(how));
			cell_fail(st, "%s %s before it was ready%s%s", p->name, how,
				  last[0] ? ": " : "", last);
			return RUN_FAILED;
		}
	}
	cell_fail(st, "%s did not become ready", p->name);
	return RUN_FAILED;
}

/*
 * Starts argv (argv[0] a path) pinned to cpus with a readiness pipe as its fd 3 and
 * waits for it to report its port.
 */
static enum run_rc spawn_ready(struct run_state *st, struct proc_child *p, const char *role,
			       char **argv, const cpu_set_t *cpus, unsigned *port)
{
	enum run_rc rc;
	int pfd[2];

	if (access(argv[0], X_OK)) {
		cell_fail(st, "cannot execute %.200s: %s", argv[0], strerror(errno));
		return RUN_FAILED;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		cell_fail(st, "pipe: %s", strerror(errno));
		return RUN_FAILED;
	}
	if (proc_spawn(p, role, argv, pfd[1], cpus)) {
		close(pfd[0]);
		close(pfd[1]);
		cell_fail(st, "cannot start the %s", role);
		return RUN_FAILED;
	}
	close(pfd[1]);
	rc = wait_ready(st, p, pfd[0], port);
	close(pfd[0]);
	return rc;
}

/* The origin of a proxy cell: ringside-origin, or nginx with --origin nginx. */
enum run_rc cell_spawn_origin(struct run_state *st)
{
	const struct run_opts *o = st->o;
	char bin[PATH_MAX], cpus[256], body[24], threads[16];
	char *argv[16];
	int n = 0;
	enum run_rc rc;

	if (!strcmp(o->origin, "nginx")) {
		char err[sizeof(st->reason)];

		if (!peer_start(&st->origin, "origin", "nginx", "origin", o, st->c->connections, 0,
				&st->origin_port, NULL, err, sizeof(err)))
			return RUN_OK;
		cell_fail(st, "%s", err);
		return run_interrupted ? RUN_INTERRUPTED : RUN_FAILED;
	}
	snprintf(bin, sizeof(bin), "%s/%s", fs_exe_dir(), st->c->workload->origin_bin);
	cpus_str(&o->origin_cpus, cpus, sizeof(cpus));
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
	rc = spawn_ready(st, &st->origin, "origin", argv, &o->origin_cpus, &st->origin_port);
	/* An origin the kernel refuses is our failure, not the model's: never a skip. */
	return rc == RUN_SKIPPED ? RUN_FAILED : rc;
}

/* nginx or haproxy as the server; nginx's workers exist once it is ready. */
static enum run_rc spawn_peer(struct run_state *st)
{
	char err[sizeof(st->reason)];

	if (peer_start(&st->server, "server", st->c->model, "proxy", st->o, st->c->connections,
		       st->origin_port, &st->port, &st->peer, err, sizeof(err))) {
		cell_fail(st, "%s", err);
		return run_interrupted ? RUN_INTERRUPTED : RUN_FAILED;
	}
	st->nworkers = ptree_children(st->server.pid, st->workers, RS_MAX_WORKERS);
	return RUN_OK;
}

enum run_rc cell_spawn_server(struct run_state *st)
{
	const struct run_opts *o = st->o;
	char bin[PATH_MAX], cpus[256], sq[16], upstream[64], threads[16], work[24];
	char *argv[26 + RUN_MAX_SERVER_ARGS];
	int n = 0;

	if (st->c->info->flags & MODEL_PEER)
		return spawn_peer(st);
	if (st->c->info->flags & MODEL_CUSTOM)
		return cell_spawn_custom(st);
	snprintf(bin, sizeof(bin), "%s/%s", fs_exe_dir(), st->c->workload->server_bin);
	cpus_str(&o->server_cpus, cpus, sizeof(cpus));
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
	return spawn_ready(st, &st->server, "server", argv, &o->server_cpus, &st->port);
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
