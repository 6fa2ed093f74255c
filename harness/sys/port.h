/*
 * Ports of the children the harness starts (port.c): pick one that is free, and
 * wait (bounded, no sleeps as synchronisation) until a child accepts on one.
 */
#ifndef RS_PORT_H
#define RS_PORT_H

#include <signal.h>
#include <stddef.h>

#include "sys/child.h"

/*
 * A port of host that was free a moment ago: bind port 0, read it back, close,
 * then check with net_port_free that nothing took it since. -1 with errno.
 */
int port_pick_free(const char *host, unsigned *port);
/*
 * Waits (bounded by timeout_s) until host:port accepts a TCP connection. 0 when
 * it does, else -1 with why: *interrupted was set (NULL: never), the child exited
 * first, or the deadline passed (with the tail of its stderr).
 */
int port_wait(struct proc_child *c, const char *host, unsigned port, double timeout_s,
	      const volatile sig_atomic_t *interrupted, char *why, size_t len);

#endif
