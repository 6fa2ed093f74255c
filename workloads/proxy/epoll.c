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
#include "proxy.h"

#define MAX_EVENTS   256
#define ACCEPT_BATCH 64

enum side { CLIENT = 0, UPSTREAM = 1 };

struct conn {
	struct conn *prev, *next; /* the loop's connections, for the timer scan */
	bool freed;
	bool rd[2], wr[2]; /* readiness seen and not yet used up (edge-triggered) */
	bool hup[2];	   /* the peer closed: read until 0 */
	bool pollout[2];   /* EPOLLOUT is registered */
	struct proxy_conn pc;
};

struct loop {
	const struct server_opts *o;
	const struct proxy_cfg *cfg;
	int id, listen_fd, ep;
	uint64_t accept_resume_ns; /* accept paused (EMFILE) until then; 0 = accepting */
	bool accept_more;	   /* the last batch left connections in the backlog */
	struct conn head;	   /* list of live connections */
	struct conn *dead[MAX_EVENTS * 2];
	unsigned ndead;
	uint64_t last_scan_ns;
};

static int fd_of(struct conn *k, enum side s)
{
	return s == CLIENT ? k->pc.cfd : k->pc.ufd;
}

static void set_pollout(struct loop *l, struct conn *k, enum side s, bool on)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (on ? EPOLLOUT : 0),
				 .data.u64 = (uintptr_t)k | s};

	if (k->pollout[s] == on)
		return;
	k->pollout[s] = on;
	if (epoll_ctl(l->ep, EPOLL_CTL_MOD, fd_of(k, s), &ev))
		PLOG_WARN("epoll_ctl mod");
}

static void conn_close(struct loop *l, struct conn *k)
{
	close(k->pc.cfd);
	if (k->pc.ufd >= 0)
		close(k->pc.ufd);
	k->prev->next = k->next;
	k->next->prev = k->prev;
	k->freed = true;
	server_conn_put();
	if (l->ndead < sizeof(l->dead) / sizeof(l->dead[0]))
		l->dead[l->ndead++] = k;
	else
		free(k); /* no event for it can be pending past this batch's size */
}

static void start_connect(struct loop *l, struct conn *k, int idx, uint64_t now)
{
	const struct proxy_upstream *u = &l->cfg->ups[idx];
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				 .data.u64 = (uintptr_t)k | UPSTREAM};
	int fd = proxy_upstream_socket(u, true);

	if (fd < 0) {
		proxy_upstream_connected(&k->pc, errno, now);
		return;
	}
	proxy_upstream_connecting(&k->pc, fd, now);
	if (connect(fd, (const struct sockaddr *)&u->addr, u->addrlen) && errno != EINPROGRESS) {
		proxy_upstream_connected(&k->pc, errno, now);
		return;
	}
	k->pollout[UPSTREAM] = true;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev))
		proxy_upstream_connected(&k->pc, errno, now);
}

static bool do_send(struct loop *l, struct conn *k, enum side s, uint64_t now)
{
	struct proxy_conn *c = &k->pc;
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
	struct proxy_conn *c = &k->pc;
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

/* Runs a connection until it waits on the kernel; closes it when it is done. */
static void drive(struct loop *l, struct conn *k, uint64_t now)
{
	struct proxy_conn *c = &k->pc;
	bool progress = true;
	int idx;

	for (int round = 0; progress && round < 64 && !proxy_done(c); round++) {
		progress = false;
		idx = proxy_want_connect(c);
		if (idx >= 0) {
			start_connect(l, k, idx, now);
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

static void on_event(struct loop *l, struct conn *k, enum side s, uint32_t ev, uint64_t now)
{
	struct proxy_conn *c = &k->pc;

	if (k->freed)
		return;
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

/*
 * Accepts up to ACCEPT_BATCH connections. If more wait, the loop takes another batch
 * every turn: the level-triggered listener alone would come up only once per pass
 * over all ready connections, so 10k clients connecting at once would trickle in.
 */
static void accept_all(struct loop *l, uint64_t now)
{
	l->accept_more = false;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET};
		struct conn *k;

		if (fd < 0) {
			struct epoll_event off = {.events = 0};

			if (errno == EAGAIN || errno == EINTR)
				return;
			if (!server_accept_failed(errno))
				continue; /* that connection is gone; try the next */
			/* Out of descriptors: the listener would stay readable and the loop
			 * spin. Stop watching it for a while. */
			epoll_ctl(l->ep, EPOLL_CTL_MOD, l->listen_fd, &off);
			l->accept_resume_ns = now + SERVER_ACCEPT_BACKOFF_MS * 1000000ull;
			return;
		}
		server_accept_ok();
		k = malloc(sizeof(*k));
		if (!k || !server_conn_get(l->o)) {
			free(k);
			close(fd);
			continue;
		}
		k->freed = false;
		for (int s = 0; s < 2; s++)
			k->rd[s] = k->wr[s] = k->hup[s] = k->pollout[s] = false;
		k->wr[CLIENT] = true;
		k->wr[UPSTREAM] = true;
		net_set_nodelay(fd);
		proxy_conn_init(&k->pc, l->cfg, fd, now);
		ev.data.u64 = (uintptr_t)k | CLIENT;
		if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev)) {
			PLOG_WARN("epoll_ctl add");
			close(fd);
			free(k);
			server_conn_put();
			continue;
		}
		k->next = l->head.next;
		k->prev = &l->head;
		l->head.next->prev = k;
		l->head.next = k;
	}
	l->accept_more = true;
}

/* Resumes a paused accept; fires the timers that are due, at most once per PROXY_WAIT_MS. */
static void scan_timers(struct loop *l, uint64_t now)
{
	struct conn *k, *next;

	if (l->accept_resume_ns && now >= l->accept_resume_ns) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};

		l->accept_resume_ns = 0;
		epoll_ctl(l->ep, EPOLL_CTL_MOD, l->listen_fd, &ev);
	}
	if (now - l->last_scan_ns < PROXY_WAIT_MS * 1000000ull)
		return;
	l->last_scan_ns = now;
	for (k = l->head.next; k != &l->head; k = next) {
		uint64_t d = proxy_deadline(&k->pc);

		next = k->next;
		if (d && now >= d) {
			proxy_expire(&k->pc, now);
			drive(l, k, now);
		}
	}
}

static int ep_init(void *loop, const struct server_opts *o, int id, int listen_fd)
{
	struct loop *l = loop;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};

	l->o = o;
	l->cfg = o->workload;
	l->id = id;
	l->listen_fd = listen_fd;
	l->head.next = l->head.prev = &l->head;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0 || epoll_ctl(l->ep, EPOLL_CTL_ADD, listen_fd, &ev)) {
		PLOG_ERR("epoll setup");
		return RS_EXIT_FAIL;
	}
	return RS_EXIT_OK;
}

static int ep_run(void *loop)
{
	struct loop *l = loop;
	struct epoll_event evs[MAX_EVENTS];

	while (!server_should_stop()) {
		int n = epoll_wait(l->ep, evs, MAX_EVENTS,
				   l->accept_resume_ns ? SERVER_ACCEPT_BACKOFF_MS : PROXY_WAIT_MS);
		uint64_t now = now_ns();
		bool accepted = false;

		if (n < 0 && errno != EINTR) {
			PLOG_ERR("epoll_wait");
			return RS_EXIT_FAIL;
		}
		for (int i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;

			if (!d) {
				accept_all(l, now);
				accepted = true;
			} else {
				on_event(l, (struct conn *)(uintptr_t)(d & ~1ull), d & 1,
					 evs[i].events, now);
			}
		}
		if (l->accept_more && !accepted && !l->accept_resume_ns)
			accept_all(l, now);
		scan_timers(l, now);
		for (unsigned i = 0; i < l->ndead; i++)
			free(l->dead[i]);
		l->ndead = 0;
	}
	return RS_EXIT_OK;
}

static void ep_fini(void *loop)
{
	struct loop *l = loop;

	while (l->head.next != &l->head)
		conn_close(l, l->head.next);
	for (unsigned i = 0; i < l->ndead; i++)
		free(l->dead[i]);
	l->ndead = 0;
	close(l->ep);
}

static const struct server_loop_ops epoll_ops = {
    .loop_size = sizeof(struct loop),
    .nonblock_listener = true,
    .init = ep_init,
    .run = ep_run,
    .fini = ep_fini,
};

static int epoll_model_run(const struct server_opts *o)
{
	return server_run_loops(o, &epoll_ops);
}

const struct server_model proxy_epoll_model = {.name = "epoll", .run = epoll_model_run};
