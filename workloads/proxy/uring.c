/*
 * The proxy over io_uring (liburing >= 2.3, Linux >= 6.1): one ring and SO_REUSEPORT
 * listener per loop; multishot accept; multishot recv on both sockets into a
 * registered provided-buffer ring, copied into the connection's buffer and handed back
 * at once; send and connect as plain SQEs; one io_uring_submit_and_wait per loop turn.
 * --model uring-sqpoll is this file with IORING_SETUP_SQPOLL (--sq-cpu, --sq-idle-ms).
 */
#include <liburing.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "net.h"
#include "proxy.h"

#define SQ_ENTRIES 1024
#define CQ_ENTRIES 16384 /* multishot requests post many CQEs per SQE */
#define BUF_GROUP  0
#define BUF_COUNT  1024 /* provided buffers per loop (a power of two) */
#define BUF_SIZE   (8 * 1024)
#define HOLD_PAUSE 4 /* buffers held for a full connection before its recv is cancelled */
#define BUF_NONE   0xffff

/* user_data: the operation in the high 32 bits, the connection id in the low 32. */
enum op { OP_ACCEPT = 1, OP_RECV_C, OP_RECV_U, OP_SEND_C, OP_SEND_U, OP_CONNECT, OP_CANCEL };
enum side { CLIENT = 0, UPSTREAM = 1 };

static inline uint64_t op_data(enum op op, uint32_t id)
{
	return (uint64_t)op << 32 | id;
}

static inline enum op cqe_to_op(const struct io_uring_cqe *cqe)
{
	return (enum op)(cqe->user_data >> 32);
}

static inline uint32_t cqe_to_conn(const struct io_uring_cqe *cqe)
{
	return (uint32_t)cqe->user_data;
}

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
	bool used, closing, retry;
	bool connecting;
	unsigned inflight; /* requests that will still post a CQE naming this id */
	struct uside s[2];
	struct proxy_conn *pc;
};

struct loop {
	const struct server_opts *o;
	const struct proxy_cfg *cfg;
	int id, listen_fd, rc;
	bool accept_armed;
	uint64_t accept_resume_ns; /* accept re-armed from then on (EMFILE backoff) */
	struct io_uring ring;
	struct conn *conns;
	uint32_t *free_ids, nfree, nused;
	uint32_t *retry, nretry; /* recv stopped by -ENOBUFS: re-arm next turn */
	struct io_uring_buf_ring *br;
	char *bufs;
	unsigned nreturned;
	uint64_t last_scan_ns;
	uint16_t buf_next[BUF_COUNT];
	uint32_t buf_len[BUF_COUNT];
};

static struct io_uring_sqe *get_sqe(struct loop *l)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	if (!sqe) { /* SQ full: submit what is there and take a slot */
		io_uring_submit(&l->ring);
		/* With SQPOLL, submitting only wakes the kernel thread: slots free up
		 * once it has consumed them, so wait for that (10k connections arriving
		 * at once fill the SQ, and a lost recv or cancel strands a connection). */
		if (l->o->sqpoll)
			io_uring_sqring_wait(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	return sqe; /* NULL only if the kernel took nothing; callers treat it as failure */
}

static void buf_return(struct loop *l, uint16_t bid)
{
	io_uring_buf_ring_add(l->br, l->bufs + (size_t)bid * BUF_SIZE, BUF_SIZE, bid,
			      io_uring_buf_ring_mask(BUF_COUNT), l->nreturned++);
}

static void bufs_flush(struct loop *l)
{
	if (l->nreturned) {
		io_uring_buf_ring_advance(l->br, l->nreturned);
		l->nreturned = 0;
	}
}

static int fd_of(struct conn *k, enum side s)
{
	return s == CLIENT ? k->pc->cfd : k->pc->ufd;
}

static uint32_t conn_id(struct loop *l, struct conn *k)
{
	return (uint32_t)(k - l->conns);
}

static void accept_arm(struct loop *l)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return;
	io_uring_prep_multishot_accept(sqe, l->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, op_data(OP_ACCEPT, 0));
	l->accept_armed = true;
}

static void recv_arm(struct loop *l, struct conn *k, enum side s)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return;
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
	sqe = get_sqe(l);
	if (!sqe)
		return;
	io_uring_prep_cancel64(sqe, op_data(s == CLIENT ? OP_RECV_C : OP_RECV_U, conn_id(l, k)), 0);
	io_uring_sqe_set_data64(sqe, op_data(OP_CANCEL, conn_id(l, k)));
	k->s[s].cancelling = true;
}

static void send_arm(struct loop *l, struct conn *k, enum side s, const char *p, size_t len)
{
	struct io_uring_sqe *sqe = get_sqe(l);

	if (!sqe)
		return;
	io_uring_prep_send(sqe, fd_of(k, s), p, len, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, op_data(s == CLIENT ? OP_SEND_C : OP_SEND_U, conn_id(l, k)));
	k->s[s].send_armed = true;
	k->inflight++;
}

static void connect_arm(struct loop *l, struct conn *k, int idx, uint64_t now)
{
	const struct proxy_upstream *u = &l->cfg->ups[idx];
	int fd = proxy_upstream_socket(u, false);
	struct io_uring_sqe *sqe;

	if (fd < 0) {
		proxy_upstream_connected(k->pc, errno, now);
		return;
	}
	proxy_upstream_connecting(k->pc, fd, now);
	sqe = get_sqe(l);
	if (!sqe) {
		proxy_upstream_connected(k->pc, EAGAIN, now);
		return;
	}
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
		memcpy(p, l->bufs + (size_t)bid * BUF_SIZE + sd->hold_off, n);
		sd->hold_off += n;
		if (sd->hold_off == l->buf_len[bid]) {
			sd->qhead = l->buf_next[bid];
			buf_return(l, bid);
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

static void conn_free(struct loop *l, struct conn *k)
{
	close(k->pc->cfd);
	if (k->pc->ufd >= 0)
		close(k->pc->ufd);
	free(k->pc);
	k->pc = NULL;
	k->used = false;
	l->free_ids[l->nfree++] = conn_id(l, k);
	proxy_conn_put();
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
			buf_return(l, bid);
		}
	}
	if (k->inflight) {
		for (int s = 0; s < 2; s++) {
			struct io_uring_sqe *sqe;
			int fd = fd_of(k, s);

			if (fd < 0 || !(sqe = get_sqe(l)))
				continue;
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
			connect_arm(l, k, idx, now);
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

static void on_accept(struct loop *l, struct io_uring_cqe *cqe, uint64_t now)
{
	struct conn *k;
	uint32_t id;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		l->accept_armed = false;
	if (cqe->res < 0) {
		if (cqe->res == -EINVAL) {
			LOG_ERR("io_uring unsupported: kernel refuses multishot accept (EINVAL)");
			l->rc = RS_EXIT_UNSUPPORTED;
		} else if (cqe->res != -ECANCELED) {
			/* Out of descriptors (or another failure): re-arming at once would
			 * fail again at once, so wait a while. */
			if (!proxy_accept_failed(-cqe->res))
				LOG_WARN("accept: %s", strerror(-cqe->res));
			l->accept_resume_ns = now + PROXY_ACCEPT_BACKOFF_MS * 1000000ull;
		}
		return;
	}
	proxy_accept_ok();
	if (!l->nfree || !proxy_conn_get(l->o)) {
		close(cqe->res);
		return;
	}
	id = l->free_ids[--l->nfree];
	k = &l->conns[id];
	if (id >= l->nused)
		l->nused = id + 1;
	memset(k, 0, sizeof(*k));
	k->pc = malloc(sizeof(*k->pc));
	if (!k->pc) {
		close(cqe->res);
		l->free_ids[l->nfree++] = id;
		proxy_conn_put();
		return;
	}
	k->used = true;
	net_set_nodelay(cqe->res);
	proxy_conn_init(k->pc, l->cfg, cqe->res, now);
	drive(l, k, now);
}

static void on_recv(struct loop *l, struct conn *k, enum side s, struct io_uring_cqe *cqe)
{
	struct uside *sd = &k->s[s];

	if (cqe->flags & IORING_CQE_F_BUFFER) {
		uint16_t bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

		if (k->closing || cqe->res <= 0) {
			buf_return(l, bid);
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
	enum op op = cqe_to_op(cqe);
	struct conn *k;

	if (op == OP_ACCEPT) {
		on_accept(l, cqe, now);
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

/* Fires the timers that are due (at most once per PROXY_WAIT_MS) and retries recvs. */
static void loop_housekeeping(struct loop *l, uint64_t now)
{
	uint32_t n = l->nretry;

	l->nretry = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct conn *k = &l->conns[l->retry[i]];

		k->retry = false;
		if (k->used && !k->closing)
			drive(l, k, now);
	}
	if (!l->accept_armed && !l->rc && now >= l->accept_resume_ns)
		accept_arm(l);
	if (now - l->last_scan_ns < PROXY_WAIT_MS * 1000000ull)
		return;
	l->last_scan_ns = now;
	for (uint32_t i = 0; i < l->nused; i++) {
		struct conn *k = &l->conns[i];
		uint64_t d;

		if (!k->used || k->closing)
			continue;
		d = proxy_deadline(k->pc);
		if (d && now >= d) {
			proxy_expire(k->pc, now);
			drive(l, k, now);
		}
	}
}

/* io_uring_setup failed: one line saying why; the kernel's refusals exit 3. */
static int ring_refused(int err, const struct server_opts *o)
{
	static atomic_flag said = ATOMIC_FLAG_INIT;
	int disabled = -1;
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "r");

	if (f) {
		if (fscanf(f, "%d", &disabled) != 1)
			disabled = -1;
		fclose(f);
	}
	if (!atomic_flag_test_and_set(&said)) {
		if (err == -EPERM && disabled > 0)
			LOG_ERR("io_uring unsupported: disabled by sysctl "
				"kernel.io_uring_disabled=%d (EPERM)",
				disabled);
		else
			LOG_ERR("io_uring unsupported: io_uring_setup(%s) failed: %s",
				o->sqpoll ? "SQPOLL|SINGLE_ISSUER" : "SINGLE_ISSUER|DEFER_TASKRUN",
				strerror(-err));
	}
	return err == -EINVAL || err == -EPERM || err == -ENOSYS ? RS_EXIT_UNSUPPORTED
								 : RS_EXIT_FAIL;
}

static int ring_init(struct loop *l, const struct server_opts *o)
{
	struct io_uring_params p = {
	    /* Multishot accept/recv post many CQEs per SQE: a larger CQ avoids overflow. */
	    .flags = IORING_SETUP_CQSIZE,
	    .cq_entries = CQ_ENTRIES,
	};
	int ret;

	/* Only this loop's thread touches the ring: the kernel can skip locking. */
	p.flags |= IORING_SETUP_SINGLE_ISSUER;
	if (o->sqpoll) {
		/* A kernel thread polls the SQ and submits: no io_uring_enter to submit. */
		p.flags |= IORING_SETUP_SQPOLL;
		p.sq_thread_idle = o->sq_idle_ms ? o->sq_idle_ms : 1;
		if (o->sq_cpu >= 0) {
			/* Pin that thread (--sq-cpu) where the harness wants it. */
			p.flags |= IORING_SETUP_SQ_AFF;
			p.sq_thread_cpu = o->sq_cpu;
		}
		/* DEFER_TASKRUN is rejected together with SQPOLL. */
	} else {
		/* Run completion work only when we wait, in one batch per loop turn. */
		p.flags |= IORING_SETUP_DEFER_TASKRUN;
	}
	ret = io_uring_queue_init_params(SQ_ENTRIES, &l->ring, &p);
	if (ret < 0)
		return ring_refused(ret, o);
	return RS_EXIT_OK;
}

static int bufs_init(struct loop *l)
{
	struct io_uring_buf_reg reg = {.ring_entries = BUF_COUNT, .bgid = BUF_GROUP};
	int ret;

	l->br = mmap(NULL, BUF_COUNT * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	l->bufs = mmap(NULL, (size_t)BUF_COUNT * BUF_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (l->br == MAP_FAILED || l->bufs == MAP_FAILED) {
		PLOG_ERR("loop %d: buffer memory", l->id);
		return RS_EXIT_FAIL;
	}
	reg.ring_addr = (uintptr_t)l->br;
	ret = io_uring_register_buf_ring(&l->ring, &reg, 0);
	if (ret == -EINVAL || ret == -EOPNOTSUPP) {
		LOG_ERR("io_uring unsupported: no provided buffer rings (%s)", strerror(-ret));
		return RS_EXIT_UNSUPPORTED;
	}
	if (ret < 0) {
		LOG_ERR("loop %d: io_uring_register_buf_ring: %s", l->id, strerror(-ret));
		return RS_EXIT_FAIL;
	}
	io_uring_buf_ring_init(l->br);
	for (unsigned i = 0; i < BUF_COUNT; i++)
		buf_return(l, i);
	bufs_flush(l);
	return RS_EXIT_OK;
}

static void loop_free(struct loop *l)
{
	if (l->br && l->br != MAP_FAILED)
		munmap(l->br, BUF_COUNT * sizeof(struct io_uring_buf));
	if (l->bufs && l->bufs != MAP_FAILED)
		munmap(l->bufs, (size_t)BUF_COUNT * BUF_SIZE);
	free(l->conns);
	free(l->free_ids);
	free(l->retry);
}

static int u_init(void *arg, const struct server_opts *o, int id, int listen_fd)
{
	struct loop *l = arg;
	int rc;

	l->o = o;
	l->cfg = o->workload;
	l->id = id;
	l->listen_fd = listen_fd;
	l->conns = calloc(o->max_conns, sizeof(*l->conns));
	l->free_ids = calloc(o->max_conns, sizeof(*l->free_ids));
	l->retry = calloc(o->max_conns, sizeof(*l->retry));
	if (!l->conns || !l->free_ids || !l->retry) {
		LOG_ERR("loop %d: out of memory", id);
		loop_free(l);
		return RS_EXIT_FAIL;
	}
	for (uint32_t i = 0; i < o->max_conns; i++)
		l->free_ids[i] = o->max_conns - 1 - i;
	l->nfree = o->max_conns;
	rc = ring_init(l, o);
	if (rc) {
		loop_free(l);
		return rc;
	}
	rc = bufs_init(l);
	if (rc) {
		io_uring_queue_exit(&l->ring);
		loop_free(l);
		return rc;
	}
	accept_arm(l);
	return RS_EXIT_OK;
}

static int u_run(void *arg)
{
	struct loop *l = arg;
	struct io_uring_cqe *cqe;

	while (!server_should_stop() && !l->rc) {
		struct __kernel_timespec ts = {
		    .tv_nsec =
			(l->accept_armed ? PROXY_WAIT_MS : PROXY_ACCEPT_BACKOFF_MS) * 1000000ll};
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
		loop_housekeeping(l, now);
		bufs_flush(l);
	}
	return l->rc;
}

static void u_fini(void *arg)
{
	struct loop *l = arg;

	io_uring_queue_exit(&l->ring); /* cancels whatever is still in flight */
	for (uint32_t i = 0; i < l->nused; i++)
		if (l->conns[i].used)
			conn_free(l, &l->conns[i]);
	loop_free(l);
}

static const struct proxy_loop_ops uring_ops = {
    .loop_size = sizeof(struct loop),
    .nonblock_listener = false,
    .init = u_init,
    .run = u_run,
    .fini = u_fini,
};

static int uring_run(const struct server_opts *o)
{
	return proxy_run_loops(o, &uring_ops);
}

const struct server_model proxy_uring_model = {.name = "uring", .run = uring_run};
const struct server_model proxy_uring_sqpoll_model = {.name = "uring-sqpoll", .run = uring_run};
