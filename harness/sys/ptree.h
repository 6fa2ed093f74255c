/*
 * Process trees from /proc (ptree.c): a server's workers (nginx) and everything a
 * --server forks (socat's per-connection children), for snapshots and probes.
 */
#ifndef RS_PTREE_H
#define RS_PTREE_H

#include <sys/types.h>

/* The pids whose parent is parent (e.g. nginx workers), at most max. */
int ptree_children(pid_t parent, pid_t *out, int max);
/* Every process below root (children, theirs, ...), at most max. */
int ptree_descendants(pid_t root, pid_t *out, int max);

#endif
