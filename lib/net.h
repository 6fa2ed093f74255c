/*
 * Sockets, descriptors, CPU pinning and signals shared by the servers and the
 * load generator. Nothing here knows an I/O model.
 */
#ifndef RS_NET_H
#define RS_NET_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
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
/* Pins the calling thread to set (if non-empty); -1 with errno on failure. */
int pin_self(const cpu_set_t *set);
/* The n-th CPU of set (wrapping), for one-thread-per-CPU pinning; -1 if empty. */
int cpu_nth(const cpu_set_t *set, int n);
/* Monotonic clock in nanoseconds. */
uint64_t now_ns(void);

#endif
