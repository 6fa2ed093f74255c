/*
 * nginx and haproxy, configured, pinned and run like ringside's own servers (peers.c).
 */
#ifndef RS_PEERS_H
#define RS_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "options.h"
#include "sys/proc.h"

/*
 * The sizes a peer's config was given for one cell, and where a copy of the
 * config lies (results.md, run.peer_config). 0 means "not a setting of this tool".
 * Sized like our own servers: one upstream connection kept per client.
 */
struct peer_conf {
	const char *tool;	 /* "nginx" | "haproxy"; NULL when no peer ran */
	char file[96];		 /* relative to the result directory, "" if not saved */
	unsigned long keepalive; /* nginx upstream keepalive, haproxy pool-max-conn */
	unsigned long worker_connections, worker_rlimit_nofile; /* nginx */
	unsigned long maxconn;	   /* haproxy: global, frontend and server */
	const char *template_file; /* --peer-config FILE: the sizes above are unknown */
};

/* True for the models that are peers ("nginx", "haproxy"). */
bool peer_is(const char *model);
/*
 * Writes tool's config into o->tmpdir, sized for conns client connections, and
 * starts it pinned (role "proxy": the server CPUs, forwarding to
 * 127.0.0.1:upstream; "origin": nginx on the origin CPUs serving o->size bytes),
 * on a free port returned in *port, and waits until the port accepts. A copy of
 * the config goes to o->result_dir/peers/TOOL-ROLE-cCONNS.conf, and *pc (if
 * non-NULL) says what it set. -1 with why on failure (the child is stopped by then).
 */
int peer_start(struct proc_child *c, const char *name, const char *tool, const char *role,
	       const struct run_opts *o, unsigned long conns, unsigned upstream, unsigned *port,
	       struct peer_conf *pc, char *why, size_t len);
/* Copies src to o->result_dir/rel (rel "peers/..."); -1 if not saved. */
int peer_save_copy(const struct run_opts *o, const char *src, const char *rel);

#endif
