/*
 * Echo over epoll: a tuned baseline. One loop per thread, each with its own
 * SO_REUSEPORT listener and epoll instance; non-blocking sockets registered
 * once, level-triggered. Only a short write changes the registration (EPOLLIN ->
 * EPOLLOUT until the rest is out), so a peer that never reads stops being read.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo.h"
#include "work.h"
#include "log.h"
#include "loops.h"
#include "net.h"
#include "clock.h"
#include "slots.h"

#define EVENT_BATCH  256
#define BUF_SIZE     (64 * 1024)
#define READ_BUDGET  16 /* full reads of one connection per wakeup, for fairness */
#define ACCEPT_BATCH 64

struct conn {
	int fd;	      /* -1 while the slot is free */
	bool writing; /* output pending: registered for EPOLLOUT, not EPOLLIN */
	char *out;    /* unsent bytes, allocated only while writing */
	size_t out_len;
	size_t out_off;
	struct echo_idle idle;
};

struct loop {
	const struct server_opts *o;
	int id;
	int listen_fd;
	int epfd;
	uint64_t idle_ns;	   /* --idle-timeout, 0 = never */
	uint64_t accept_resume_ns; /* accept paused (EMFILE) until then; 0 = accepting */
	struct conn *conns;	   /* o->max_conns slots */
	struct slots slots;
	struct echo_idle idle_list;
	char buf[BUF_SIZE];
};

static void conn_close(struct loop *l, struct conn *c);

/* ---- connection table (the same in every event-loop model) ---- */

static struct conn *conn_alloc(struct loop *l, int fd)
{
	int64_t id = slots_get(&l->slots);
	struct conn *c;

	if (id < 0)
		return NULL;
	c = &l->conns[id];
	*c = (struct conn){.fd = fd};
	return c;
}

static void conn_free(struct loop *l, struct conn *c)
{
	c->fd = -1;
	slots_put(&l->slots, c - l->conns);
}

static void conn_touch(struct loop *l, struct conn *c, uint64_t now)
{
	if (l->idle_ns)
		echo_idle_touch(&l->idle_list, &c->idle, now);
}

/* ---- the I/O model ---- */

/* Watches the listener (events = EPOLLIN) or stops watching it (0) during backoff. */
static void accept_watch(struct loop *l, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = NULL};

	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, l->listen_fd, &ev))
		PLOG_WARN("epoll_ctl(listener)");
}

static void conn_watch(struct loop *l, struct conn *c, int op, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	if (epoll_ctl(l->epfd, op, c->fd, &ev)) {
		PLOG_WARN("epoll_ctl(conn)");
		conn_close(l, c);
	}
}

static void on_accept(struct loop *l, int fd, uint64_t now)
{
	struct conn *c;

	server_accept_ok();
	if (!server_conn_get(l->o)) {
		close(fd); /* --max-conns reached */
		return;
	}
	c = conn_alloc(l, fd);
	if (!c) {
		close(fd);
		server_conn_put();
		return;
	}
	net_set_nodelay(fd);
	conn_touch(l, c, now);
	/* Registered once; only a short write ever changes it. */
	conn_watch(l, c, EPOLL_CTL_ADD, EPOLLIN);
}

static void accept_ready(struct loop *l, uint64_t now)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			on_accept(l, fd, now);
			continue;
		}
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (server_accept_failed(errno)) {
			/* Out of descriptors: the listener would stay readable and spin. */
			accept_watch(l, 0);
			l->accept_resume_ns = now_ns() + SERVER_ACCEPT_BACKOFF_MS * 1000000ull;
			return;
		}
		/* ECONNABORTED and the like: that connection is gone, try the next. */
	}
}

static void accept_resume(struct loop *l)
{
	if (!l->accept_resume_ns)
		return;
	l->accept_resume_ns = 0;
	accept_watch(l, EPOLLIN);
}

/*
 * Sends len bytes of buf; what the socket does not take is kept in c->out and the
 * connection switches to EPOLLOUT. Returns 0 if all went out, 1 if output is
 * pending, -1 if the connection was closed.
 */
static int send_bytes(struct loop *l, struct conn *c, const char *buf, size_t len)
{
	ssize_t n;

	do {
		n = write(c->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && errno != EAGAIN) {
		conn_close(l, c);
		return -1;
	}
	if (n < 0)
		n = 0;
	c->out = malloc(BUF_SIZE);
	if (!c->out) {
		conn_close(l, c);
		return -1;
	}
	memcpy(c->out, buf + n, len - n);
	c->out_len = len - n;
	c->out_off = 0;
	c->writing = true;
	conn_watch(l, c, EPOLL_CTL_MOD, EPOLLOUT);
	return 1;
}

/*
 * Level-triggered, so a read shorter than the buffer means the socket is drained:
 * stopping there saves the read that would only return EAGAIN, and if more is
 * left (budget used up) epoll reports the socket again.
 */
static void recv_ready(struct loop *l, struct conn *c, uint64_t now)
{
	for (int i = 0; i < READ_BUDGET; i++) {
		ssize_t n = read(c->fd, l->buf, BUF_SIZE);

		if (n > 0) {
			conn_touch(l, c, now);
			echo_jitter(l->o);
			work_do();
			if (send_bytes(l, c, l->buf, n) || n < BUF_SIZE)
				return;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		conn_close(l, c); /* EOF or error (reset) */
		return;
	}
}

static void send_ready(struct loop *l, struct conn *c, uint64_t now)
{
	ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			conn_close(l, c);
		return;
	}
	conn_touch(l, c, now);
	c->out_off += n;
	if (c->out_off < c->out_len)
		return;
	free(c->out);
	c->out = NULL;
	c->writing = false;
	conn_watch(l, c, EPOLL_CTL_MOD, EPOLLIN);
}

static void conn_close(struct loop *l, struct conn *c)
{
	close(c->fd); /* also removes it from the epoll set */
	free(c->out);
	echo_idle_del(&c->idle);
	conn_free(l, c);
	server_conn_put();
	accept_resume(l); /* a descriptor is free again */
}

static void handle_event(struct loop *l, struct epoll_event *ev, uint64_t now)
{
	struct conn *c = ev->data.ptr;

	if (!c) {
		accept_ready(l, now);
		return;
	}
	if (c->writing) {
		if (ev->events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			send_ready(l, c, now);
	} else if (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		recv_ready(l, c, now);
	}
}

static void expire_timers(struct loop *l, uint64_t now)
{
	struct echo_idle *e;

	while (l->idle_ns && (e = echo_idle_expired(&l->idle_list, now, l->idle_ns)))
		conn_close(l, (struct conn *)((char *)e - offsetof(struct conn, idle)));
	if (l->accept_resume_ns && now >= l->accept_resume_ns)
		accept_resume(l);
}

static int wait_ms(struct loop *l, uint64_t now)
{
	int ms = echo_idle_wait_ms(&l->idle_list, now, l->idle_ns, ECHO_WAIT_MS);

	if (l->accept_resume_ns && ms > SERVER_ACCEPT_BACKOFF_MS)
		ms = SERVER_ACCEPT_BACKOFF_MS;
	return ms;
}

/* ---- loop lifecycle ---- */

static int loop_init(void *arg, const struct server_opts *o, int id, int listen_fd)
{
	struct loop *l = arg;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};

	l->o = o;
	l->id = id;
	l->listen_fd = listen_fd;
	l->idle_ns = o->idle_timeout_ms * 1000000ull;
	echo_idle_init(&l->idle_list);
	l->conns = calloc(o->max_conns, sizeof(*l->conns));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!l->conns || slots_init(&l->slots, o->max_conns) || l->epfd < 0 ||
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, listen_fd, &ev)) {
		PLOG_ERR("loop %d: epoll setup", id);
		if (l->epfd >= 0)
			close(l->epfd);
		free(l->conns);
		slots_fini(&l->slots);
		return RS_EXIT_FAIL;
	}
	return RS_EXIT_OK;
}

static int loop_run(void *arg)
{
	struct loop *l = arg;
	struct epoll_event evs[EVENT_BATCH];
	uint64_t now = now_ns();

	while (!server_should_stop()) {
		int n = epoll_wait(l->epfd, evs, EVENT_BATCH, wait_ms(l, now));

		if (n < 0 && errno != EINTR) {
			PLOG_ERR("loop %d: epoll_wait", l->id);
			return RS_EXIT_FAIL;
		}
		now = now_ns();
		for (int i = 0; i < n; i++)
			handle_event(l, &evs[i], now);
		expire_timers(l, now);
	}
	return RS_EXIT_OK;
}

static void loop_fini(void *arg)
{
	struct loop *l = arg;

	for (uint32_t i = 0; i < l->slots.used; i++) {
		if (l->conns[i].fd >= 0) {
			close(l->conns[i].fd);
			free(l->conns[i].out);
		}
	}
	close(l->epfd);
	free(l->conns);
	slots_fini(&l->slots);
}

static const struct server_loop_ops epoll_ops = {
    .loop_size = sizeof(struct loop),
    .nonblock_listener = true,
    .init = loop_init,
    .run = loop_run,
    .fini = loop_fini,
};

static int epoll_run(const struct server_opts *o)
{
	return server_run_loops(o, &epoll_ops);
}

const struct server_model echo_epoll_model = {.name = "epoll", .run = epoll_run};
