/*
 * The proxy over io_uring (liburing >= 2.3, Linux >= 6.1): one ring and SO_REUSEPORT
 * listener per loop; multishot accept; multishot recv on both sockets into a
 * registered provided-buffer ring, copied into the connection's buffer and handed back
 * at once; send and connect as plain SQEs; one io_uring_submit_and_wait per loop turn.
 * --model uring-sqpoll is this file with IORING_SETUP_SQPOLL (--sq-cpu, --sq-idle-ms).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loops.h"
#include "net.h"
#include "clock.h"
#include "proxy.h"
#include "slots.h"
#include "uring.h"

#define SQ_ENTRIES 1024
#define CQ_ENTRIES 16384 /* multishot requests post many CQEs per SQE */
#define BUF_GROUP  0
#define BUF_COUNT  1024 /* provided buffers per loop (a power of two) */
#define BUF_SIZE   (8 * 1024)
#define HOLD_PAUSE 4 /* buffers held for a full connection before its recv is cancelled */
#define BUF_NONE   0xffff

/* user_data (op_data, cqe_to_op, cqe_to_conn in uring.h): an op and a conn id. */
enum op { OP_ACCEPT = 1, OP_RECV_C, OP_RECV_U, OP_SEND_C, OP_SEND_U, OP_CONNECT, OP_CANCEL };
enum side { CLIENT = 0, UPSTREAM = 1 };

struct uside {
	bool recv_armed, send_armed, cancelling;
	bool ended, reported; /* the recv ended with end_res (0 = EOF, < 0 error) ... */
	int end_res;	      /* ... reported once the held data is in */
	/* Received buffers not yet copied into the connection (it had no room): a FIFO
	 * linked through the loop's buf_next, bounded only by the buffer pool, since a
	 * multishot recv may post many CQEs before its cancellation lands. */
	uint16_t qhead, qtail, nhold;
	uint32_t hold_off; /* bytes of the head buffer already copied */
};

struct conn {
	bool closing, retry;
	bool connecting;
	unsigned inflight; /* requests that will still post a CQE naming this id */
	struct uside s[2];
	struct proxy_conn *pc; /* NULL while the slot is free */
};

struct loop {
	const struct server_opts *o;
	const struct proxy_cfg *cfg;
	int id, listen_fd, rc;
	bool accept_armed;
	uint64_t accept_resume_ns; /* accept re-armed from then on (EMFILE backoff) */
	uint64_t last_scan_ns;	   /* when expire_timers() last looked at every connection */
	struct conn *conns;	   /* o->max_conns slots */
	struct slots slots;
	struct io_uring ring;
	uint32_t *retry, nretry; /* recv stopped by -ENOBUFS: re-arm next turn */
	struct uring_bufs bufs;
	uint16_t buf_next[BUF_COUNT];
	uint32_t buf_len[BUF_COUNT];
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
	slots_put(&l->slots, conn_id(l, k));
	server_conn_put();
}

/* ---- the I/O model ---- */

static void accept_arm(struct loop *l)
{
	struct io_uring_sqe *sqe = uring_get_sqe(&l->ring);

	io_uring_prep_multishot_accept(sqe, l->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, op_data(OP_ACCEPT, 0));
	l->accept_armed = true;
}

static void recv_arm(struct loop *l, struct conn *k, enum side s)
{
	struct io_uring_sqe *sqe = uring_get_sqe(&l->ring);

	io_uring_prep_recv_multishot(sqe, fd_of(k, s), NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BUF_GROUP;
	io_uring_sqe_set_data64(sqe, op_data(s == CLIENT ? OP_RECV_C : OP_RECV_U, conn_id(l, k)));
	k->s[s].recv_armed = true;
	k->inflight++;
}

/* A multishot recv cannot be paused, only cancelled; drive() re-arms it. */
static void recv_cancel(struct loop *l, struct conn *k, enum side s)
{
	struct io_uring_sqe *sqe;

	if (!k->s[s].recv_armed || k->s[s].cancelling)
		return;
	sqe = uring_get_sqe(&l->ring);
	io_uring_prep_cancel64(sqe, op_data(s == CLIENT ? OP_RECV_C : OP_RECV_U, conn_id(l, k)), 0);
	io_uring_sqe_set_data64(sqe, op_data(OP_CANCEL, conn_id(l, k)));
	k->s[s].cancelling = true;
}

static void send_arm(struct loop *l, struct conn *k, enum side s, const char *p, size_t len)
{
	struct io_uring_sqe *sqe = uring_get_sqe(&l->ring);

	io_uring_prep_send(sqe, fd_of(k, s), p, len, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, op_data(s == CLIENT ? OP_SEND_C : OP_SEND_U, conn_id(l, k)));
	k->s[s].send_armed = true;
	k->inflight++;
}

static void upstream_connect(struct loop *l, struct conn *k, int idx, uint64_t now)
{
	const struct proxy_upstream *u = &l->cfg->ups[idx];
	int fd = proxy_upstream_socket(u, false);
	struct io_uring_sqe *sqe;

	if (fd < 0) {
		proxy_upstream_connected(k->pc, errno, now);
		return;
	}
	proxy_upstream_connecting(k->pc, fd, now);
	sqe = uring_get_sqe(&l->ring);
	io_uring_prep_connect(sqe, fd, (const struct sockaddr *)&u->addr, u->addrlen);
	io_uring_sqe_set_data64(sqe, op_data(OP_CONNECT, conn_id(l, k)));
	k->connecting = true;
	k->inflight++;
}

/* Copies held buffers into the connection while it has room; reports the end after. */
static void pump(struct loop *l, struct conn *k, enum side s, uint64_t now)
{
	struct uside *sd = &k->s[s];
	struct proxy_conn *c = k->pc;

	while (sd->nhold && !proxy_done(c)) {
		char *p;
		size_t room = s == CLIENT ? proxy_client_rbuf(c, &p) : proxy_upstream_rbuf(c, &p);
		uint16_t bid = sd->qhead;
		uint32_t left = l->buf_len[bid] - sd->hold_off, n = left < room ? left : room;

		if (!n)
			return;
		memcpy(p, uring_buf_addr(&l->bufs, bid) + sd->hold_off, n);
		sd->hold_off += n;
		if (sd->hold_off == l->buf_len[bid]) {
			sd->qhead = l->buf_next[bid];
			uring_buf_return(&l->bufs, bid);
			sd->nhold--;
			sd->hold_off = 0;
		}
		if (s == CLIENT)
			proxy_client_recvd(c, n, now);
		else
			proxy_upstream_recvd(c, n, now);
	}
	if (!sd->nhold && sd->ended && !sd->reported && !proxy_done(c)) {
		sd->reported = true;
		if (s == CLIENT)
			proxy_client_recvd(c, sd->end_res, now);
		else
			proxy_upstream_recvd(c, sd->end_res, now);
	}
}

/* Tears a connection down: cancels what is in flight, frees once nothing is. */
static void conn_close(struct loop *l, struct conn *k)
{
	k->closing = true;
	for (int s = 0; s < 2; s++) {
		struct uside *sd = &k->s[s];

		for (; sd->nhold; sd->nhold--) {
			uint16_t bid = sd->qhead;

			sd->qhead = l->buf_next[bid];
			uring_buf_return(&l->bufs, bid);
		}
	}
	if (k->inflight) {
		for (int s = 0; s < 2; s++) {
			struct io_uring_sqe *sqe;
			int fd = fd_of(k, s);

			if (fd < 0)
				continue;
			sqe = uring_get_sqe(&l->ring);
			io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
			io_uring_sqe_set_data64(sqe, op_data(OP_CANCEL, conn_id(l, k)));
		}
		return;
	}
	conn_free(l, k);
}

/* Runs a connection until it waits on the kernel; closes it when it is done. */
static void drive(struct loop *l, struct conn *k, uint64_t now)
{
	struct proxy_conn *c = k->pc;
	const char *wp;
	size_t len;
	int idx;

	for (int round = 0; round < 4 && !proxy_done(c); round++) {
		pump(l, k, CLIENT, now);
		pump(l, k, UPSTREAM, now);
		idx = proxy_want_connect(c);
		if (idx >= 0 && !k->connecting)
			upstream_connect(l, k, idx, now);
		if (proxy_take_shutdown(c))
			shutdown(c->cfd, SHUT_WR); /* rare: after an error reply */
		if (idx < 0 || k->connecting)
			break;
	}
	if (proxy_done(c)) {
		conn_close(l, k);
		return;
	}
	if (!k->s[CLIENT].send_armed && (len = proxy_client_wbuf(c, &wp)))
		send_arm(l, k, CLIENT, wp, len);
	if (!k->s[UPSTREAM].send_armed && (len = proxy_upstream_wbuf(c, &wp)))
		send_arm(l, k, UPSTREAM, wp, len);
	for (int s = 0; s < 2; s++) {
		struct uside *sd = &k->s[s];
		char *p;

		if (sd->nhold >= HOLD_PAUSE)
			recv_cancel(l, k, s); /* the connection is not taking data: stop */
		else if (!sd->recv_armed && !sd->nhold && !sd->ended && fd_of(k, s) >= 0 &&
			 (s == CLIENT || c->up == PROXY_UP_READY) &&
			 (s == CLIENT ? proxy_client_rbuf(c, &p) : proxy_upstream_rbuf(c, &p)))
			recv_arm(l, k, s);
	}
}

static void on_accept(struct loop *l, int fd, uint64_t now)
{
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
	drive(l, k, now);
}

static void accept_done(struct loop *l, struct io_uring_cqe *cqe, uint64_t now)
{
	if (!(cqe->flags & IORING_CQE_F_MORE))
		l->accept_armed = false; /* accept_resume() re-arms it */
	if (cqe->res >= 0) {
		on_accept(l, cqe->res, now);
	} else if (cqe->res == -EINVAL) {
		LOG_ERR("io_uring unsupported: kernel refuses multishot accept (EINVAL)");
		l->rc = RS_EXIT_UNSUPPORTED;
	} else if (cqe->res != -ECANCELED) {
		/* Out of descriptors (or another failure): re-arming at once would fail
		 * again at once, so wait a while. */
		if (!server_accept_failed(-cqe->res))
			LOG_WARN("accept: %s", strerror(-cqe->res));
		l->accept_resume_ns = now + SERVER_ACCEPT_BACKOFF_MS * 1000000ull;
	}
}

static void accept_resume(struct loop *l, uint64_t now)
{
	if (!l->accept_armed && !l->rc && now >= l->accept_resume_ns)
		accept_arm(l);
}

static void on_recv(struct loop *l, struct conn *k, enum side s, struct io_uring_cqe *cqe)
{
	struct uside *sd = &k->s[s];

	if (cqe->flags & IORING_CQE_F_BUFFER) {
		uint16_t bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

		if (k->closing || cqe->res <= 0) {
			uring_buf_return(&l->bufs, bid);
		} else {
			l->buf_len[bid] = cqe->res;
			l->buf_next[bid] = BUF_NONE;
			if (sd->nhold++)
				l->buf_next[sd->qtail] = bid;
			else
				sd->qhead = bid;
			sd->qtail = bid;
		}
	} else if (cqe->res == -ENOBUFS && !k->closing) {
		if (!k->retry) {
			k->retry = true;
			l->retry[l->nretry++] = conn_id(l, k);
		}
	} else if (cqe->res <= 0 && cqe->res != -ECANCELED && !sd->ended) {
		sd->ended = true; /* EOF (0) or an error, reported after the held data */
		sd->end_res = cqe->res;
	}
	if (!(cqe->flags & IORING_CQE_F_MORE)) {
		sd->recv_armed = false;
		sd->cancelling = false;
		k->inflight--;
	}
}

static void handle_cqe(struct loop *l, struct io_uring_cqe *cqe, uint64_t now)
{
	enum op op = (enum op)cqe_to_op(cqe);
	struct conn *k;

	if (op == OP_ACCEPT) {
		accept_done(l, cqe, now);
		return;
	}
	if (op == OP_CANCEL)
		return;
	k = &l->conns[cqe_to_conn(cqe)];
	switch (op) {
	case OP_RECV_C:
	case OP_RECV_U:
		on_recv(l, k, op == OP_RECV_C ? CLIENT : UPSTREAM, cqe);
		break;
	case OP_SEND_C:
	case OP_SEND_U: {
		enum side s = op == OP_SEND_C ? CLIENT : UPSTREAM;

		k->s[s].send_armed = false;
		k->inflight--;
		if (k->closing)
			break;
		if (s == CLIENT)
			proxy_client_sent(k->pc, cqe->res, now);
		else
			proxy_upstream_sent(k->pc, cqe->res, now);
		break;
	}
	case OP_CONNECT:
		k->connecting = false;
		k->inflight--;
		if (!k->closing)
			proxy_upstream_connected(k->pc, -cqe->res, now);
		break;
	default:
		break;
	}
	if (k->closing) {
		if (!k->inflight)
			conn_free(l, k);
		return;
	}
	drive(l, k, now);
}

/* Re-arms the recvs that -ENOBUFS stopped last turn (buffers have come back since). */
static void retry_recvs(struct loop *l, uint64_t now)
{
	uint32_t n = l->nretry;

	l->nretry = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct conn *k = &l->conns[l->retry[i]];

		k->retry = false;
		if (k->pc && !k->closing)
			drive(l, k, now);
	}
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
	return l->accept_armed ? PROXY_WAIT_MS : SERVER_ACCEPT_BACKOFF_MS;
}

/* ---- loop lifecycle ---- */

static void loop_free(struct loop *l)
{
	uring_bufs_free(&l->bufs);
	free(l->conns);
	slots_fini(&l->slots);
	free(l->retry);
}

static int loop_init(void *arg, const struct server_opts *o, int id, int listen_fd)
{
	struct loop *l = arg;
	int rc;

	l->o = o;
	l->cfg = o->workload;
	l->id = id;
	l->listen_fd = listen_fd;
	l->conns = calloc(o->max_conns, sizeof(*l->conns));
	l->retry = calloc(o->max_conns, sizeof(*l->retry));
	if (!l->conns || slots_init(&l->slots, o->max_conns) || !l->retry) {
		LOG_ERR("loop %d: out of memory", id);
		loop_free(l);
		return RS_EXIT_FAIL;
	}
	rc = uring_queue_init(&l->ring, o, SQ_ENTRIES, CQ_ENTRIES);
	if (rc) {
		loop_free(l);
		return rc;
	}
	rc = uring_bufs_init(&l->bufs, &l->ring, BUF_GROUP, BUF_COUNT, BUF_SIZE, id);
	if (rc) {
		io_uring_queue_exit(&l->ring);
		loop_free(l);
		return rc;
	}
	accept_arm(l);
	return RS_EXIT_OK;
}

static int loop_run(void *arg)
{
	struct loop *l = arg;
	struct io_uring_cqe *cqe;

	while (!server_should_stop() && !l->rc) {
		int ms = wait_ms(l);
		struct __kernel_timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000};
		unsigned head, n = 0;
		/* Submit everything queued and wait for at least one CQE: one syscall. */
		int ret = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, &ts, NULL);
		uint64_t now = now_ns();

		if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
			LOG_ERR("loop %d: io_uring_submit_and_wait: %s", l->id, strerror(-ret));
			return RS_EXIT_FAIL;
		}
		io_uring_for_each_cqe(&l->ring, head, cqe)
		{
			handle_cqe(l, cqe, now);
			n++;
		}
		io_uring_cq_advance(&l->ring, n);
		retry_recvs(l, now);
		expire_timers(l, now);
		uring_bufs_flush(&l->bufs);
	}
	return l->rc;
}

static void loop_fini(void *arg)
{
	struct loop *l = arg;

	io_uring_queue_exit(&l->ring); /* cancels whatever is still in flight */
	for (uint32_t i = 0; i < l->slots.used; i++)
		if (l->conns[i].pc)
			conn_free(l, &l->conns[i]);
	loop_free(l);
}

static const struct server_loop_ops uring_ops = {
    .loop_size = sizeof(struct loop),
    .nonblock_listener = false,
    .init = loop_init,
    .run = loop_run,
    .fini = loop_fini,
};

static int uring_run(const struct server_opts *o)
{
	return server_run_loops(o, &uring_ops);
}

const struct server_model proxy_uring_model = {.name = "uring", .run = uring_run};
const struct server_model proxy_uring_sqpoll_model = {.name = "uring-sqpoll", .run = uring_run};
