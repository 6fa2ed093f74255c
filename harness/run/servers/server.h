/*
 * The kinds of server a cell can run, behind one ops table (server.c), one file
 * each: ringside's own models (ours.c), a user's `--server NAME=COMMAND`
 * (command.c) and the peers, nginx and haproxy (peer.c, over the peer tool
 * table of peers.h). The kind is decided once, from the model's flags
 * (server_kind_of); nothing else asks which kind a cell runs.
 */
#ifndef RS_SERVER_H
#define RS_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "run/cell_run.h"

struct model_info;

struct server_kind {
	const char *name; /* "ringside" | "command" | "peer" */
	/* Why the model cannot run on this host (a peer not installed); NULL op: it can. */
	int (*missing)(const char *model, char *why, size_t len);
	/* Starts the server pinned and ready: st->server, st->port, st->workers. */
	enum run_rc (*spawn)(struct run_state *st);
	/* Before each snapshot: st->workers again (NULL op: they do not change). */
	void (*workers)(struct run_state *st);
	/* True when status after our SIGTERM is a clean stop although not exit 0. */
	bool (*clean_exit)(int status);
	/* Sets its own run fields (server_command, server_config, peer_config). */
	void (*json)(const struct run_state *st, json_t *run);
};

extern const struct server_kind server_ours, server_command, server_peer;

/* The kind that serves model m. */
const struct server_kind *server_kind_of(const struct model_info *m);
/* run.server_command, run.server_config and run.peer_config (null unless its kind sets them). */
void server_kind_json(const struct run_state *st, json_t *run);
/*
 * Starts argv (argv[0] a path) pinned to cpus with a readiness pipe as its fd 3
 * and waits (bounded) for "ready PORT": ringside's servers and origin.
 */
enum run_rc server_spawn_ready(struct run_state *st, struct proc_child *p, const char *role,
			       char **argv, const cpu_set_t *cpus, unsigned *port);
/* The peer_env of a peer run as the proxy (origin false) or the origin of o's cells. */
struct peer_env server_peer_env(const struct run_opts *o, const char *tool, bool origin);

#endif
