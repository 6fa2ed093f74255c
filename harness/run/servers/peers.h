/*
 * Peers: tools ringside runs but does not build (nginx, haproxy), behind one
 * small table (peers.c), one file per tool (nginx.c, haproxy.c). A tool's row
 * sizes its config for the cell, writes it, gives its argv, says how to read its
 * version and what its run.peer_config holds. A new peer (Caddy) is one file, a
 * row here (peer_tools in peers.c) and one in lib/models.c.
 *
 * Peers take a peer_env, not the run's options: calibrate starts nginx too.
 */
#ifndef RS_PEERS_H
#define RS_PEERS_H

#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sys/child.h"
#include "sys/hostinfo.h"

struct custom_peer;

/*
 * The sizes a peer's config was given for one cell, and where a copy of the
 * config lies (results.md, run.peer_config). 0 means "not a setting of this tool".
 * Sized like our own servers: one upstream connection kept per client.
 */
struct peer_conf {
	const char *tool;	 /* the peer_tool's name; NULL when no peer ran */
	char file[96];		 /* relative to the result directory, "" if not saved */
	unsigned long keepalive; /* nginx upstream keepalive, haproxy pool-max-conn */
	unsigned long worker_connections, worker_rlimit_nofile; /* nginx */
	unsigned long maxconn;	   /* haproxy: global, frontend and server */
	const char *template_file; /* --peer-config FILE: the sizes above are unknown */
};

/* What a peer needs from its caller. */
struct peer_env {
	char tmpdir[64];		/* its config, pid file and logs */
	const char *result_dir;		/* a copy of its config under peers/; NULL or "-": none */
	cpu_set_t cpus;			/* where it runs (the server's or the origin's CPUs) */
	unsigned long body_bytes;	/* as the origin: the body it serves */
	double timeout_s;		/* until its port accepts */
	const struct custom_peer *tmpl; /* --peer-config for this tool, NULL: ringside's */
	const volatile sig_atomic_t *interrupted; /* ends the wait for its port; NULL: never */
};

struct peer_argv {
	char *argv[16];
	int n;
	char store[PATH_MAX + 64];
};

struct peer_tool {
	const char *name;	      /* its model name and binary */
	bool serves_origin;	      /* can be the proxy workload's origin (--origin NAME) */
	struct hostinfo_tool version; /* results.host.versions[name] */
	/* Fills pc's settings for conns client connections (origin: no upstream). */
	void (*size)(struct peer_conf *pc, unsigned long conns, bool origin);
	/* Writes its config into e->tmpdir (its path into conf); -1 with errno. */
	int (*write)(const struct peer_env *e, bool origin, unsigned port, unsigned upstream,
		     const struct peer_conf *pc, char *conf, size_t len);
	/* Its command line in the foreground with config conf. */
	void (*argv)(const struct peer_env *e, bool origin, const char *bin, const char *conf,
		     struct peer_argv *a);
	/* Sets its own settings in obj, a run.peer_config (not called for a template). */
	void (*json)(const struct peer_conf *pc, json_t *obj);
};

extern const struct peer_tool peer_nginx, peer_haproxy;

/* The tool called name; NULL for a name that is not a peer (never a default). */
const struct peer_tool *peer_tool_find(const char *name);
/* Every peer's version command, for hostinfo_json and doctor; {NULL}-terminated. */
const struct hostinfo_tool *peer_hostinfo_tools(void);
/*
 * Writes tool's config into e->tmpdir (the --peer-config template when e->tmpl,
 * else sized for conns client connections), and starts it pinned to e->cpus
 * (role "proxy": forwarding to 127.0.0.1:upstream; "origin": serving
 * e->body_bytes) on a free port returned in *port, and waits until the port
 * accepts. A copy of the config goes to e->result_dir/peers/TOOL-ROLE-cCONNS.conf,
 * and *pc (if non-NULL) says what it set. -1 with why on failure (the child is
 * stopped by then).
 */
int peer_start(struct proc_child *c, const char *name, const char *tool, const char *role,
	       const struct peer_env *e, unsigned long conns, unsigned upstream, unsigned *port,
	       struct peer_conf *pc, char *why, size_t len);
/* Copies src to result_dir/rel (rel "peers/..."); -1 if not saved. */
int peer_save_copy(const char *result_dir, const char *src, const char *rel);
/* run.peer_config of docs/results.md: null when pc->tool is NULL. */
json_t *peer_conf_json(const struct peer_conf *pc);
/* Opens dir/name for writing (its path into path); NULL with a logged error. */
FILE *peer_open_conf(const char *dir, const char *name, char *path, size_t len);

/* Descriptors beyond two per client connection: listeners, logs, the odd file. */
#define PEER_FD_SLACK 256

#endif
