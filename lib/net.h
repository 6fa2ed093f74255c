/*
 * Sockets and descriptors shared by the servers, the load generator and the
 * harness. Nothing here knows an I/O model; the clock is clock.h, pinning cpus.h.
 */
#ifndef RS_NET_H
#define RS_NET_H

#include <stdbool.h>
#include <sys/socket.h>

/* Resolves host (numeric or name) and port into ss; -1 with a message on failure. */
int net_resolve(const char *host, unsigned port, struct sockaddr_storage *ss, socklen_t *len);
/* A listening TCP socket; reuseport sets SO_REUSEPORT so each loop can own one. */
int net_listen(const char *host, unsigned port, bool reuseport, bool nonblock, int backlog);
/*
 * 0 if nothing is bound to host:port (or port is 0), else -1 with a message naming
 * the port. SO_REUSEPORT listeners call it first: without it, a server left over from
 * an earlier run would quietly share the port (and the load) with the new one.
 */
int net_port_free(const char *host, unsigned port);
/* The local port a socket is bound to (after binding port 0). */
unsigned net_local_port(int fd);
int net_set_nonblock(int fd, bool on);
int net_set_nodelay(int fd);
/* Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the new soft limit. */
unsigned long net_raise_nofile(void);

#endif
