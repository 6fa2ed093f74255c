/*
 * Free ports and waiting for a child to accept on one (port.h), over loopback or
 * the --server-addr; a child's exit ends the wait early through its pidfd.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sys/port.h"
#include "clock.h"
#include "net.h"

#define PORT_POLL_MS 20

int port_pick_free(const char *host, unsigned *port)
{
	struct sockaddr_storage a;
	socklen_t alen;
	int fd;

	for (int tries = 0; tries < 8; tries++) {
		if (net_resolve(host, 0, &a, &alen))
			return -1;
		fd = socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (bind(fd, (struct sockaddr *)&a, alen)) {
			close(fd);
			return -1;
		}
		*port = net_local_port(fd);
		close(fd);
		/* Someone may have taken it since: a leftover server would share the load. */
		if (*port && !net_port_free(host, *port))
			return 0;
	}
	errno = EADDRINUSE;
	return -1;
}

/* True once host:port accepts a TCP connection. */
static bool port_accepts(const char *host, unsigned port)
{
	struct sockaddr_storage a;
	socklen_t alen;
	int fd;
	bool ok;

	if (net_resolve(host, port, &a, &alen))
		return false;
	fd = socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&a, alen) == 0;
	close(fd);
	return ok;
}

int port_wait(struct proc_child *c, const char *host, unsigned port, double timeout_s,
	      const volatile sig_atomic_t *interrupted, char *why, size_t len)
{
	uint64_t deadline = now_ns() + (uint64_t)(timeout_s * 1e9);
	char tail[240];

	for (int i = 0; i < 100000; i++) {
		struct pollfd p = {.fd = c->pidfd, .events = POLLIN};

		if (interrupted && *interrupted) {
			snprintf(why, len, "interrupted");
			return -1;
		}
		if (proc_try_reap(c)) {
			char how[96];

			proc_describe(c->status, how, sizeof(how));
			proc_tail(c->err_fd, tail, sizeof(tail));
			snprintf(why, len, "%s %s before it accepted on port %u%s%s", c->name, how,
				 port, tail[0] ? "; its stderr: " : "", tail);
			return -1;
		}
		if (port_accepts(host, port))
			return 0;
		if (now_ns() >= deadline)
			break;
		/* Wakes early if the peer exits. */
		poll(&p, c->pidfd >= 0 ? 1 : 0, PORT_POLL_MS);
	}
	proc_tail(c->err_fd, tail, sizeof(tail));
	snprintf(why, len, "%s never accepted on port %u within %g s%s%s", c->name, port, timeout_s,
		 tail[0] ? "; its stderr: " : "", tail);
	return -1;
}
