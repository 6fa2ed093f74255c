/*
 * The proxy over epoll: one loop per --threads with its own SO_REUSEPORT listener.
 * Both sockets of a connection are registered once, edge-triggered, for input; the
 * loop remembers readiness, and adds EPOLLOUT only after a short write (removing it
 * once the socket took more). Upstream connects are non-blocking.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loops.h"
#include "net.h"
#include "clock.h"
#include "proxy.h"
#include "slots.h"

#define MAX_EVENTS   256
#define ACCEPT_BATCH 64

/* epoll_event.data: the side in bit 32, the connection id below; the listener's is ~0. */
#define LISTENER UINT64_MAX
enum side { CLIENT = 0, UPSTREAM = 1 };

struct conn {
	bool rd[2], wr[2];     /* readiness seen and not yet used up (edge-triggered) */
	bool hup[2];	       /* the peer closed: read until 0 */
	bool pollout[2];       /* EPOLLOUT is registered */
	struct proxy_conn *pc; /* NULL while the slot is free */
};

struct loop {
	const struct server_opts *o;
	const struct proxy_cfg *cfg;
	int id, listen_fd, ep;
	bool accept_more;	   /* the last batch left connections in the backlog */
	bool accepted;		   /* accept_ready() ran this turn */
	uint64_t accept_resume_ns; /* accept paused (EMFILE) until then; 0 = accepting */
	uint64_t last_scan_ns;	   /* when expire_timers() last looked at every connection */
	struct conn *conns;	   /* o->max_conns + MAX_EVENTS slots */
	struct slots slots;
	uint32_t *dead, ndead; /* freed this turn: slots reused after the event batch */
};

/* ---- connection table (the same in every event-loop model) ---- */

static uint32_t conn_id(struct loop *l, struct conn *k)
{
	return (uint32_t)(k - l->conns);
}

static int fd_of(struct conn *k, enum side s)
{
	return s == CLIENT ? k->pc->cfd : k->pc->ufd;
}

static struct conn *conn_alloc(struct loop *l, int fd, uint64_t now)
{
	int64_t id = slots_get(&l->slots);
	struct conn *k;

	if (id < 0)
		return NULL;
	k = &l->conns[id];
	*k = (struct conn){.pc = proxy_conn_new(l->cfg, fd, now)};
	if (!k->pc) {
		slots_put(&l->slots, id);
		return NULL;
	}
	return k;
}

static void conn_free(struct loop *l, struct conn *k)
{
	proxy_conn_free(k->pc);
	k->pc = NULL;
	/* Events later in this epoll_wait batch may name it: reuse the slot after. */
	l->dead[l->ndead++] = conn_id(l, k);
	server_conn_put();
}

/* ---- the I/O model ---- */

static uint64_t ev_data(struct loop *l, struct conn *k, enum side s)
{
	return (uint64_t)s << 32 | conn_id(l, k);
}

/* Watches the listener (events = EPOLLIN) or stops watching it (0) during backoff. */
static void accept_watch(struct loop *l, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.u64 = LISTENER};

	if (epoll_ctl(l->ep, EPOLL_CTL_MOD, l->listen_fd, &ev))
		PLOG_WARN("epoll_ctl(listener)");
}

static void set_pollout(struct loop *l, struct conn *k, enum side s, bool on)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (on ? EPOLLOUT : 0),
				 .data.u64 = ev_data(l, k, s)};

	if (k->pollout[s] == on)
		return;
	k->pollout[s] = on;
	if (epoll_ctl(l->ep, EPOLL_CTL_MOD, fd_of(k, s), &ev))
		PLOG_WARN("epoll_ctl mod");
}

static void upstream_connect(struct loop *l, struct conn *k, int idx, uint64_t now)
{
	const struct proxy_upstream *u = &l->cfg->ups[idx];
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				 .data.u64 = ev_data(l, k, UPSTREAM)};
	int fd = proxy_upstream_socket(u, true);

	if (fd < 0) {
		proxy_upstream_connected(k->pc, errno, now);
		return;
	}
	proxy_upstream_connecting(k->pc, fd, now);
	if (connect(fd, (const struct sockaddr *)&u->addr, u->addrlen) && errno != EINPROGRESS) {
		proxy_upstream_connected(k->pc, errno, now);
		return;
	}
	k->pollout[UPSTREAM] = true;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev))
		proxy_upstream_connected(k->pc, errno, now);
}

static bool do_send(struct loop *l, struct conn *k, enum side s, uint64_t now)
{
	struct proxy_conn *c = k->pc;
	const char *p;
	size_t len = s == CLIENT ? proxy_client_wbuf(c, &p) : proxy_upstream_wbuf(c, &p);
	ssize_t n;

	if (!len || !k->wr[s])
		return false;
	n = send(fd_of(k, s), p, len, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		n = 0;
	else if (n < 0)
		n = -errno;
	if ((size_t)n < len && n >= 0) {
		k->wr[s] = false;
		set_pollout(l, k, s, true);
	}
	if (n != 0) {
		if (s == CLIENT)
			proxy_client_sent(c, n, now);
		else
			proxy_upstream_sent(c, n, now);
	}
	return n != 0;
}

static bool do_recv(struct conn *k, enum side s, uint64_t now)
{
	struct proxy_conn *c = k->pc;
	char *p;
	size_t len = s == CLIENT ? proxy_client_rbuf(c, &p) : proxy_upstream_rbuf(c, &p);
	ssize_t n;

	if (!len || !k->rd[s])
		return false;
	n = recv(fd_of(k, s), p, len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		k->rd[s] = false;
		return false;
	}
	if (n < 0)
		n = -errno;
	else if (n > 0 && (size_t)n < len && !k->hup[s])
		k->rd[s] = false; /* drained; the next byte brings a new edge */
	if (s == CLIENT)
		proxy_client_recvd(c, n, now);
	else
		proxy_upstream_recvd(c, n, now);
	return true;
}

/* Tears a connection down: close() also takes both sockets out of the epoll set. */
static void conn_close(struct loop *l, struct conn *k)
{
	conn_free(l, k);
}

/* Runs a connection until it waits on the kernel; closes it when it is done. */
static void drive(struct loop *l, struct conn *k, uint64_t now)
{
	struct proxy_conn *c = k->pc;
	bool progress = true;
	int idx;

	for (int round = 0; progress && round < 64 && !proxy_done(c); round++) {
		progress = false;
		idx = proxy_want_connect(c);
		if (idx >= 0) {
			upstream_connect(l, k, idx, now);
			progress = true;
		}
		progress |= do_send(l, k, CLIENT, now);
		progress |= do_send(l, k, UPSTREAM, now);
		if (proxy_take_shutdown(c))
			shutdown(c->cfd, SHUT_WR);
		progress |= do_recv(k, CLIENT, now);
		progress |= do_recv(k, UPSTREAM, now);
	}
	if (proxy_done(c))
		conn_close(l, k);
}

static void on_accept(struct loop *l, int fd, uint64_t now)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET};
	struct conn *k;

	server_accept_ok();
	if (!server_conn_get(l->o)) {
		close(fd); /* --max-conns reached */
		return;
	}
	k = conn_alloc(l, fd, now);
	if (!k) {
		close(fd);
		server_conn_put();
		return;
	}
	net_set_nodelay(fd);
	k->wr[CLIENT] = true;
	k->wr[UPSTREAM] = true;
	ev.data.u64 = ev_data(l, k, CLIENT);
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev)) {
		PLOG_WARN("epoll_ctl add");
		conn_free(l, k);
	}
}

/*
 * Accepts up to ACCEPT_BATCH connections. If more wait, the loop takes another batch
 * every turn: the level-triggered listener alone would come up only once per pass
 * over all ready connections, so 10k clients connecting at once would trickle in.
 */
static void accept_ready(struct loop *l, uint64_t now)
{
	l->accepted = true;
	l->accept_more = false;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			on_accept(l, fd, now);
			continue;
		}
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (!server_accept_failed(errno))
			continue; /* that connection is gone; try the next */
		/* Out of descriptors: the listener would stay readable and the loop spin.
		 * Stop watching it for a while. */
		accept_watch(l, 0);
		l->accept_resume_ns = now + SERVER_ACCEPT_BACKOFF_MS * 1000000ull;
		return;
	}
	l->accept_more = true;
}

static void accept_resume(struct loop *l, uint64_t now)
{
	if (!l->accept_resume_ns || now < l->accept_resume_ns)
		return;
	l->accept_resume_ns = 0;
	accept_watch(l, EPOLLIN);
}

static void on_event(struct loop *l, struct conn *k, enum side s, uint32_t ev, uint64_t now)
{
	struct proxy_conn *c = k->pc;

	if (!c)
		return; /* closed earlier in this batch */
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		k->rd[s] = true;
	if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		k->hup[s] = true;
	if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
		k->wr[s] = true;
		if (s == UPSTREAM && c->up == PROXY_UP_CONNECTING) {
			int err = 0;
			socklen_t len = sizeof(err);

			if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &err, &len))
				err = errno;
			proxy_upstream_connected(c, err, now);
		}
		set_pollout(l, k, s, false);
	}
	drive(l, k, now);
}

static void handle_event(struct loop *l, const struct epoll_event *ev, uint64_t now)
{
	uint64_t d = ev->data.u64;

	if (d == LISTENER)
		accept_ready(l, now);
	else
		on_event(l, &l->conns[(uint32_t)d], (enum side)(d >> 32), ev->events, now);
}

/* Resumes a paused accept; fires the timers that are due, at most once per PROXY_WAIT_MS. */
static void expire_timers(struct loop *l, uint64_t now)
{
	accept_resume(l, now);
	if (now - l->last_scan_ns < PROXY_WAIT_MS * 1000000ull)
		return;
	l->last_scan_ns = now;
	for (uint32_t i = 0; i < l->slots.used; i++) {
		struct conn *k = &l->conns[i];
		uint64_t d;

		if (!k->pc || proxy_done(k->pc))
			continue; /* free, or closing */
		d = proxy_deadline(k->pc);
		if (d && now >= d) {
			proxy_expire(k->pc, now);
			drive(l, k, now);
		}
	}
}

static int wait_ms(struct loop *l)
{
	return l->accept_resume_ns ? SERVER_ACCEPT_BACKOFF_MS : PROXY_WAIT_MS;
}

/* Returns the slots freed this turn, now that no event can name them. */
static void dead_release(struct loop *l)
{
	while (l->ndead)
		slots_put(&l->slots, l->dead[--l->ndead]);
}

/* ---- loop lifecycle ---- */

static void loop_free(struct loop *l)
{
	free(l->conns);
	slots_fini(&l->slots);
	free(l->dead);
}

static int loop_init(void *arg, const struct server_opts *o, int id, int listen_fd)
{
	struct loop *l = arg;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = LISTENER};
	uint32_t nslots;

	l->o = o;
	l->cfg = o->workload;
	l->id = id;
	l->listen_fd = listen_fd;
	/* One event batch may free up to MAX_EVENTS slots before it accepts: with
	 * these spare, --max-conns live connections always find a slot. */
	nslots = o->max_conns + MAX_EVENTS;
	l->conns = calloc(nslots, sizeof(*l->conns));
	l->dead = calloc(nslots, sizeof(*l->dead));
	if (!l->conns || slots_init(&l->slots, nslots) || !l->dead) {
		LOG_ERR("loop %d: out of memory", id);
		loop_free(l);
		return RS_EXIT_FAIL;
	}
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0 || epoll_ctl(l->ep, EPOLL_CTL_ADD, listen_fd, &ev)) {
		PLOG_ERR("loop %d: epoll setup", id);
		if (l->ep >= 0)
			close(l->ep);
		loop_free(l);
		return RS_EXIT_FAIL;
	}
	return RS_EXIT_OK;
}

static int loop_run(void *arg)
{
	struct loop *l = arg;
	struct epoll_event evs[MAX_EVENTS];

	while (!server_should_stop()) {
		int n = epoll_wait(l->ep, evs, MAX_EVENTS, wait_ms(l));
		uint64_t now = now_ns();

		if (n < 0 && errno != EINTR) {
			PLOG_ERR("loop %d: epoll_wait", l->id);
			return RS_EXIT_FAIL;
		}
		l->accepted = false;
		for (int i = 0; i < n; i++)
			handle_event(l, &evs[i], now);
		if (l->accept_more && !l->accepted && !l->accept_resume_ns)
			accept_ready(l, now);
		expire_timers(l, now);
		dead_release(l);
	}
	return RS_EXIT_OK;
}

static void loop_fini(void *arg)
{
	struct loop *l = arg;

	for (uint32_t i = 0; i < l->slots.used; i++)
		if (l->conns[i].pc)
			conn_free(l, &l->conns[i]);
	close(l->ep);
	loop_free(l);
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

const struct server_model proxy_epoll_model = {.name = "epoll", .run = epoll_run};
