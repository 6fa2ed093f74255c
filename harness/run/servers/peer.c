/*
 * A peer (nginx, haproxy: peers.h) as a cell's server kind (server.h): started
 * as the proxy in front of the cell's origin, its workers the processes its
 * master forked (nginx), a clean stop also by SIGTERM itself (haproxy -db), and
 * its config's sizes as run.peer_config.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "run/servers/server.h"
#include "sys/ptree.h"
#include "sys/tool.h"

struct peer_env server_peer_env(const struct run_opts *o, const char *tool, bool origin)
{
	struct peer_env e = {.result_dir = o->result_dir,
			     .cpus = origin ? o->origin_cpus : o->server_cpus,
			     .body_bytes = o->size,
			     .timeout_s = o->timeout_s,
			     .tmpl = origin ? NULL : run_peer_template(o, tool),
			     .interrupted = &run_interrupted};

	snprintf(e.tmpdir, sizeof(e.tmpdir), "%s", o->tmpdir);
	return e;
}

static int peer_missing(const char *model, char *why, size_t len)
{
	return tool_missing(model, why, len);
}

/*
 * nginx's master listens before its workers exist, so they are looked up again
 * until some are found: else its CPU would read as 0 and all of it as foreign.
 */
static void peer_workers(struct run_state *st)
{
	if (st->nworkers == 0)
		st->nworkers = ptree_children(st->server.pid, st->workers, RS_MAX_WORKERS);
}

static enum run_rc peer_spawn(struct run_state *st)
{
	struct peer_env e = server_peer_env(st->o, st->c->model, false);
	char err[sizeof(st->reason)];

	if (peer_start(&st->server, "server", st->c->model, "proxy", &e, st->c->connections,
		       st->origin_port, &st->port, &st->peer, err, sizeof(err))) {
		cell_fail(st, "%s", err);
		return run_interrupted ? RUN_INTERRUPTED : RUN_FAILED;
	}
	peer_workers(st);
	return RUN_OK;
}

/* haproxy -db ends by the SIGTERM itself: for a peer that is a clean stop. */
static bool peer_clean_exit(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
}

static void peer_json(const struct run_state *st, json_t *run)
{
	json_object_set_new(run, "peer_config", peer_conf_json(&st->peer));
}

const struct server_kind server_peer = {
    .name = "peer",
    .missing = peer_missing,
    .spawn = peer_spawn,
    .workers = peer_workers,
    .clean_exit = peer_clean_exit,
    .json = peer_json,
};
