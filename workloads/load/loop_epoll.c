/*
 * The epoll engine of ringside-load (any Linux with epoll_pwait2, 5.11+): sockets
 * are non-blocking with TCP_NODELAY and registered once, edge-triggered, for
 * IN|OUT|RDHUP, so a keep-alive request costs one send and one recv per batch
 * plus the shared epoll_pwait2, and no epoll_ctl.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "load.h"
#include "log.h"
#include "net.h"
#include "clock.h"

#define MAX_EVENTS 256
#define IO_BUF	   (64 * 1024)

struct epoll_state {
	int epfd;
	char rbuf[IO_BUF], wbuf[IO_BUF]; /* the thread's scratch: bytes never outlive a call */
	struct epoll_event evs[MAX_EVENTS];
};

static struct epoll_state *es_of(const struct load_conn *c)
{
	return c->t->es;
}

static int ep_probe(char *why, size_t len)
{
	return 0;
}

static int ep_init(struct load_thread *t)
{
	struct epoll_state *s = malloc(sizeof(*s));

	t->es = s;
	if (!s) {
		LOG_ERR("out of memory for thread %u", t->idx);
		return -1;
	}
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0) {
		PLOG_ERR("epoll_create1");
		return -1;
	}
	return 0;
}

static void ep_fini(struct load_thread *t)
{
	struct epoll_state *s = t->es;

	if (s && s->epfd >= 0)
		close(s->epfd);
	free(s);
	t->es = NULL;
}

/* Starts a non-blocking connect. -1 when it failed at once (already handled). */
static int ep_connect(struct load_conn *c, uint64_t now)
{
	const struct load_opts *o = c->t->o;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				 .data.ptr = c};
	int fd, rc;

	fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		load_conn_fail(c, LERR_CONNECT, errno, now);
		return -1;
	}
	net_set_nodelay(fd);
	c->fd = fd;
	rc = connect(fd, (const struct sockaddr *)&o->addr, o->addrlen);
	if (rc < 0 && errno != EINPROGRESS) {
		load_conn_fail(c, LERR_CONNECT, errno, now);
		return -1;
	}
	/* Registered after connect(): an unconnected socket polls as HUP. */
	if (epoll_ctl(es_of(c)->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		load_conn_fail(c, LERR_CONNECT, errno, now);
		return -1;
	}
	if (rc == 0)
		load_conn_established(c, now);
	return 0;
}

/* Writes issued requests from the cursor until done or the socket is full. */
static int ep_flush(struct load_conn *c, uint64_t now)
{
	struct epoll_state *s = es_of(c);

	while (c->sent < c->issued) {
		size_t len = load_conn_fill(c, s->wbuf, sizeof(s->wbuf));
		ssize_t n = send(c->fd, s->wbuf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN)
				return 0; /* the EPOLLOUT edge brings us back */
			if (errno == EINTR)
				continue;
			load_conn_fail(c, LERR_RESET, errno, now);
			return -1;
		}
		load_conn_sent(c, (size_t)n);
	}
	return 0;
}

/* close() also takes the socket out of the epoll set. */
static void ep_close(struct load_conn *c)
{
	close(c->fd);
}

/*
 * Reads until a short read, EAGAIN or EOF (edge-triggered). A short read means
 * drained, except when the peer also shut down (RDHUP): the FIN raises no new
 * edge, so then read on until EOF. -1 if c was torn down.
 */
static int ep_readable(struct load_conn *c, uint32_t ev)
{
	struct epoll_state *s = es_of(c);

	for (;;) {
		ssize_t n = recv(c->fd, s->rbuf, sizeof(s->rbuf), 0);

		if (n > 0) {
			if (load_conn_input(c, s->rbuf, (size_t)n, now_ns()))
				return -1;
			if ((size_t)n < sizeof(s->rbuf) &&
			    !(ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
				return 0;
			continue;
		}
		if (n == 0) {
			load_conn_eof(c, now_ns());
			return -1;
		}
		if (errno == EAGAIN)
			return 0;
		if (errno != EINTR) {
			load_conn_fail(c, LERR_RESET, errno, now_ns());
			return -1;
		}
	}
}

static void ep_event(struct load_conn *c, uint32_t ev, uint64_t now)
{
	if (c->state == CONN_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
		if (!err && (ev & (EPOLLHUP | EPOLLERR)))
			err = ECONNREFUSED;
		if (err) {
			load_conn_fail(c, LERR_CONNECT, err, now);
			return;
		}
		if (!(ev & EPOLLOUT))
			return;
		load_conn_established(c, now);
	}
	if (c->state != CONN_ACTIVE)
		return;
	if ((ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && ep_readable(c, ev))
		return;
	if ((ev & EPOLLOUT) && c->sent < c->issued)
		ep_flush(c, now);
}

static int ep_wait(struct load_thread *t, uint64_t wait_ns)
{
	struct epoll_state *s = t->es;
	struct timespec ts = {.tv_sec = (time_t)(wait_ns / 1000000000ull),
			      .tv_nsec = (long)(wait_ns % 1000000000ull)};
	uint64_t now;
	int n = epoll_pwait2(s->epfd, s->evs, MAX_EVENTS, &ts, NULL);

	if (n < 0) {
		if (errno == EINTR)
			return 0;
		PLOG_ERR("epoll_pwait2");
		return -1;
	}
	now = now_ns();
	for (int i = 0; i < n; i++)
		ep_event(s->evs[i].data.ptr, s->evs[i].events, now);
	return 0;
}

/* Open loop's pass: sends went out as they were issued; handle what came in. */
static int ep_poll(struct load_thread *t)
{
	return ep_wait(t, 0);
}

const struct load_engine load_engine_epoll = {
    .name = "epoll",
    .probe = ep_probe,
    .init = ep_init,
    .fini = ep_fini,
    .connect = ep_connect,
    .flush = ep_flush,
    .close = ep_close,
    .wait = ep_wait,
    .poll = ep_poll,
};
