/*
 * The proxy with blocking I/O: one thread per client connection (the "worker-based"
 * TinyGate), each doing blocking recv/send on its client and upstream sockets in the
 * order the state machine needs. Timeouts are socket options: --upstream-timeout is
 * SO_RCVTIMEO/SO_SNDTIMEO on the upstream socket (so it bounds connect too), and
 * --idle-timeout is SO_RCVTIMEO on the client socket: it bounds each receive, not a
 * whole request head, so a client trickling bytes faster keeps its thread (proxy.h).
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "clock.h"
#include "cpus.h"
#include "proxy.h"

#define THREAD_STACK (256 * 1024)

static void set_timeout(int fd, int opt, unsigned ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	if (setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv)))
		PLOG_WARN("setsockopt timeout");
}

static void connect_upstream(struct proxy_conn *c, int idx)
{
	const struct proxy_upstream *u = &c->cfg->ups[idx];
	int fd = proxy_upstream_socket(u, false);

	if (fd < 0) {
		proxy_upstream_connected(c, errno, now_ns());
		return;
	}
	set_timeout(fd, SO_SNDTIMEO, c->cfg->upstream_timeout_ms);
	set_timeout(fd, SO_RCVTIMEO, c->cfg->upstream_timeout_ms);
	proxy_upstream_connecting(c, fd, now_ns());
	if (connect(fd, (const struct sockaddr *)&u->addr, u->addrlen))
		proxy_upstream_connected(c, errno == EINPROGRESS ? ETIMEDOUT : errno, now_ns());
	else
		proxy_upstream_connected(c, 0, now_ns());
}

static ssize_t result(ssize_t n)
{
	return n < 0 ? -errno : n;
}

/* One blocking step; false when there is nothing left to do. */
static bool step(struct proxy_conn *c, bool *drain_timeout_set)
{
	const char *wp;
	char *rp;
	size_t len;
	ssize_t n;
	int idx = proxy_want_connect(c);

	if (idx >= 0) {
		connect_upstream(c, idx);
		return true;
	}
	if ((len = proxy_client_wbuf(c, &wp))) {
		n = send(c->cfd, wp, len, MSG_NOSIGNAL);
		proxy_client_sent(c, result(n), now_ns());
		return true;
	}
	if ((len = proxy_upstream_wbuf(c, &wp))) {
		n = send(c->ufd, wp, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) /* SO_SNDTIMEO: the upstream stopped reading */
			errno = ETIMEDOUT;
		proxy_upstream_sent(c, result(n), now_ns());
		return true;
	}
	if (proxy_take_shutdown(c))
		shutdown(c->cfd, SHUT_WR);
	if (proxy_needs_client(c) && (len = proxy_client_rbuf(c, &rp))) {
		if (c->draining && !*drain_timeout_set) {
			set_timeout(c->cfd, SO_RCVTIMEO, PROXY_DRAIN_MS);
			*drain_timeout_set = true;
		}
		n = recv(c->cfd, rp, len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			proxy_expire(c, now_ns() + 1000000); /* the receive timeout is ms-rounded */
		else
			proxy_client_recvd(c, result(n), now_ns());
		return true;
	}
	if (proxy_needs_upstream(c) && (len = proxy_upstream_rbuf(c, &rp))) {
		n = recv(c->ufd, rp, len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			proxy_expire(c, now_ns() + 1000000);
		else
			proxy_upstream_recvd(c, result(n), now_ns());
		return true;
	}
	return false;
}

static void *serve(void *arg)
{
	struct proxy_conn *c = arg;
	bool drain_timeout_set = false;

	if (c->cfg->idle_timeout_ms)
		set_timeout(c->cfd, SO_RCVTIMEO, c->cfg->idle_timeout_ms);
	while (!proxy_done(c) && step(c, &drain_timeout_set))
		;
	proxy_conn_free(c);
	server_conn_put();
	return NULL;
}

static int blocking_run(const struct server_opts *o)
{
	const struct proxy_cfg *cfg = o->workload;
	int lfd = net_listen(o->host, o->port, false, false, o->backlog);
	pthread_attr_t attr;

	if (lfd < 0)
		return RS_EXIT_FAIL;
	if (CPU_COUNT(&o->cpus) && pin_self(&o->cpus)) /* threads inherit the main's mask */
		PLOG_WARN("cannot pin to --cpus");
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	server_ready(o, net_local_port(lfd));
	while (!server_should_stop()) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), err;
		struct proxy_conn *c;
		pthread_t tid;

		if (fd < 0) {
			if (server_accept_failed(errno))
				usleep(SERVER_ACCEPT_BACKOFF_MS * 1000);
			continue;
		}
		server_accept_ok();
		if (!server_conn_get(o)) {
			close(fd); /* --max-conns reached */
			continue;
		}
		c = proxy_conn_new(cfg, fd, now_ns());
		if (!c) {
			close(fd);
			server_conn_put();
			continue;
		}
		net_set_nodelay(fd);
		server_block_signals(); /* only this thread takes SIGTERM */
		err = pthread_create(&tid, &attr, serve, c);
		server_unblock_signals();
		if (err) {
			errno = err;
			PLOG_WARN("cannot start a connection thread");
			proxy_conn_free(c);
			server_conn_put();
		}
	}
	pthread_attr_destroy(&attr);
	close(lfd);
	return RS_EXIT_OK;
}

const struct server_model proxy_blocking_model = {.name = "blocking", .run = blocking_run};
