/*
 * nginx and haproxy, configured, pinned and run like ringside's own servers (peers.c).
 */
#ifndef RS_PEERS_H
#define RS_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "options.h"
#include "proc.h"

/* True for the models that are peers ("nginx", "haproxy"). */
bool peer_is(const char *model);
/* The tool's absolute path into path; -1 if it is not installed. */
int peer_find(const char *tool, char *path, size_t len);
/* 0 if tool is installed; else -1 and why = "nginx is not installed (apt-get ...)". */
int peer_missing(const char *tool, char *why, size_t len);
/*
 * Writes tool's config into o->tmpdir and starts it pinned (role "proxy": the
 * server CPUs, forwarding to 127.0.0.1:upstream; "origin": nginx on the origin
 * CPUs serving o->size bytes), on a free port returned in *port, and waits until
 * the port accepts. -1 with why on failure (the child is stopped by then).
 */
int peer_start(struct proc_child *c, const char *name, const char *tool, const char *role,
	       const struct run_opts *o, unsigned upstream, unsigned *port, char *why, size_t len);
/* The pids whose parent is parent (e.g. nginx workers), at most max. */
int peer_children(pid_t parent, pid_t *out, int max);
/* Removes the run's temporary directory and what the peers left in it. */
void peer_tmp_remove(const char *dir);

#endif
