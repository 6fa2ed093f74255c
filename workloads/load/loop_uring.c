/*
 * The io_uring engine of ringside-load (liburing >= 2.3, Linux >= 6.1 for
 * DEFER_TASKRUN): one ring per thread. Every socket sits in the ring's fixed
 * file table (slot = the connection's index); connects, sends and one multishot
 * recv per connection into a provided-buffer ring go through the ring, and a
 * loop pass enters the kernel once, to submit and wait in the same call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"
#include "log.h"
#include "net.h"
#include "clock.h"
#include "opts.h"
#include "uring.h"

#define BUF_GROUP 0
#define BUF_SIZE  (16 * 1024)
#define SEND_CAP  (32 * 1024) /* a connection's send buffer: at most this much in flight */

/* user_data (common/uring.h): the operation, the socket's generation and the slot. */
enum op { OP_SOCKET = 1, OP_CONNECT, OP_SEND, OP_RECV, OP_CANCEL, OP_CLOSE };

#define GEN_MASK URING_GEN_MASK

/* What is in flight on a connection's current socket. */
struct uconn {
	uint32_t gen; /* bumped on close: CQEs of an older socket are stale */
	bool connecting, recv_armed;
	bool send_busy;	 /* a send is in flight; its CQE moves the cursor */
	bool send_quiet; /* sends post no CQE on success (see ur_flush) */
};

struct uring_state {
	struct io_uring ring;
	bool ring_ok;
	struct uring_bufs bufs;
	struct uconn *uc;
	char *sbuf; /* scap bytes per connection, read by its send in flight */
	size_t scap;
};

static struct uring_state *us_of(const struct load_conn *c)
{
	return c->t->es;
}

static uint32_t slot_of(const struct load_conn *c)
{
	return (uint32_t)(c - c->t->conns);
}

static unsigned pow2_clamp(unsigned long n, unsigned lo, unsigned hi)
{
	unsigned v = lo;

	while (v < n && v < hi)
		v <<= 1;
	return v;
}

/*
 * Provided buffers per thread: two per connection, 256 to 4096. The test knob
 * RINGSIDE_LOAD_BUFS (a power of two, 8 to 4096) sets it, so that a test can run
 * out of buffers for certain (tests/load: the -ENOBUFS re-arm path).
 */
static unsigned ur_nbufs(unsigned long conns)
{
	const char *env = getenv("RINGSIDE_LOAD_BUFS");
	unsigned long v;

	if (env && !parse_uint(env, &v, 8, 4096) && !(v & (v - 1)))
		return (unsigned)v;
	return pow2_clamp(2ul * conns, 256, 4096);
}

static int ur_queue_init(struct io_uring *ring, unsigned entries)
{
	struct io_uring_params p = {
	    /* A multishot recv posts many CQEs per SQE: a CQ 4x the SQ keeps clear of overflow. */
	    .flags = IORING_SETUP_CQSIZE,
	    .cq_entries = entries * 4,
	};

	/* Only this thread touches the ring: the kernel can skip its submission locking. */
	p.flags |= IORING_SETUP_SINGLE_ISSUER;
	/*
	 * Completions run as task work only when we wait, all in one batch per
	 * io_uring_enter, never interrupting the loop (COOP_TASKRUN would only
	 * matter without this, so it is not set).
	 */
	p.flags |= IORING_SETUP_DEFER_TASKRUN;
	/* One bad SQE (a cancel that found nothing) must not hold back the batch. */
	p.flags |= IORING_SETUP_SUBMIT_ALL;
	return io_uring_queue_init_params(entries, ring, &p);
}

/*
 * A ring with the flags above tells it all: DEFER_TASKRUN needs 6.1, which also
 * has multishot recv (6.0), provided-buffer rings and direct sockets (5.19).
 */
static int ur_probe(char *why, size_t len)
{
	struct io_uring ring;
	int ret = ur_queue_init(&ring, 8);

	if (ret == 0) {
		io_uring_queue_exit(&ring);
		return 0;
	}
	if (ret == -ENOSYS)
		snprintf(why, len, "this kernel has no io_uring (ENOSYS)");
	else if (ret == -EPERM)
		snprintf(why, len, "io_uring not permitted (EPERM; see kernel.io_uring_disabled)");
	else if (ret == -EINVAL)
		snprintf(why, len,
			 "the kernel rejects SINGLE_ISSUER|DEFER_TASKRUN (EINVAL; "
			 "needs Linux 6.1)");
	else
		snprintf(why, len, "io_uring_setup: %s", strerror(-ret));
	return ret;
}

static int ur_init(struct load_thread *t)
{
	struct uring_state *s = calloc(1, sizeof(*s));
	unsigned n = t->nconns;
	size_t want = (size_t)t->o->depth * t->req_len;
	int ret;

	t->es = s;
	if (!s) {
		LOG_ERR("out of memory for thread %u", t->idx);
		return -1;
	}
	ret = ur_queue_init(&s->ring, pow2_clamp(2ul * n, 64, 4096));
	if (ret < 0) {
		LOG_ERR("thread %u: io_uring_setup: %s", t->idx, strerror(-ret));
		return -1;
	}
	s->ring_ok = true;
	/* io_uring_enter by index, not fd: saves an fdget per call; optional, so no check. */
	io_uring_register_ring_fd(&s->ring);
	ret = io_uring_register_files_sparse(&s->ring, n);
	if (ret < 0) {
		LOG_ERR("thread %u: io_uring_register_files_sparse(%u): %s", t->idx, n,
			strerror(-ret));
		return -1;
	}
	if (uring_bufs_init(&s->bufs, &s->ring, BUF_GROUP, ur_nbufs(n), BUF_SIZE, (int)t->idx) !=
	    RS_EXIT_OK)
		return -1;
	s->scap = want < SEND_CAP ? want : SEND_CAP;
	s->uc = calloc(n, sizeof(*s->uc));
	s->sbuf = malloc((size_t)n * s->scap);
	if (!s->uc || !s->sbuf) {
		LOG_ERR("out of memory for %u connections", n);
		return -1;
	}
	return 0;
}

static void ur_fini(struct load_thread *t)
{
	struct uring_state *s = t->es;

	if (!s)
		return;
	/* Exiting the ring cancels what is in flight and drops the fixed files. */
	if (s->ring_ok)
		io_uring_queue_exit(&s->ring);
	uring_bufs_free(&s->bufs);
	free(s->uc);
	free(s->sbuf);
	free(s);
	t->es = NULL;
}

static struct io_uring_sqe *ur_sqe(struct uring_state *s, enum op op, uint32_t gen, uint32_t conn)
{
	struct io_uring_sqe *sqe = uring_get_sqe(&s->ring);

	if (!sqe)
		DIE("io_uring: no SQE even after submitting"); /* cannot happen without SQPOLL */
	io_uring_sqe_set_data64(sqe, op_data_gen(op, gen, conn));
	return sqe;
}

/* The socket goes into slot i; its CONNECT follows on the fixed file. */
static int ur_connect(struct load_conn *c, uint64_t now)
{
	struct uring_state *s = us_of(c);
	const struct load_opts *o = c->t->o;
	uint32_t i = slot_of(c);
	struct uconn *u = &s->uc[i];
	struct io_uring_sqe *sqe;

	if (o->churn) {
		/*
		 * One request per connection, written at once: Nagle never holds
		 * it back, so no TCP_NODELAY, and the ring itself can make the
		 * socket, in the slot, linked to the connect: no syscall of ours.
		 */
		if (io_uring_sq_space_left(&s->ring) < 2) {
			uring_bufs_flush(&s->bufs);
			io_uring_submit(&s->ring); /* a link must not straddle submits */
		}
		sqe = ur_sqe(s, OP_SOCKET, u->gen, i);
		io_uring_prep_socket_direct(sqe, o->addr.ss_family, SOCK_STREAM, 0, i, 0);
		sqe->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
	} else {
		/* Keep-alive: connects are rare, so TCP_NODELAY the plain way. */
		int fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), ret;

		if (fd < 0) {
			load_conn_fail(c, LERR_CONNECT, errno, now);
			return -1;
		}
		net_set_nodelay(fd);
		/* The old socket's CLOSE may be queued: it must run before the slot is reused. */
		if (io_uring_sq_ready(&s->ring)) {
			uring_bufs_flush(&s->bufs);
			io_uring_submit(&s->ring);
		}
		ret = io_uring_register_files_update(&s->ring, i, &fd, 1);
		close(fd); /* the table holds its own reference */
		if (ret < 0) {
			load_conn_fail(c, LERR_CONNECT, -ret, now);
			return -1;
		}
	}
	c->fd = (int)i;
	sqe = ur_sqe(s, OP_CONNECT, u->gen, i);
	io_uring_prep_connect(sqe, (int)i, (const struct sockaddr *)&o->addr, o->addrlen);
	sqe->flags |= IOSQE_FIXED_FILE;
	u->connecting = true;
	return 0;
}

/*
 * One send at a time per connection, from its own buffer; the rest follows on
 * its CQE. MSG_WAITALL makes a short send a failure, so at depth 1 a send of a
 * whole request needs no CQE when it succeeds: the cursor moves at once, and
 * the buffer is not written again before the response has proved the request
 * sent. That leaves one CQE per request, the response's.
 */
static int ur_flush(struct load_conn *c, uint64_t now)
{
	struct uring_state *s = us_of(c);
	uint32_t i = slot_of(c);
	struct uconn *u = &s->uc[i];
	char *buf = s->sbuf + (size_t)i * s->scap;
	struct io_uring_sqe *sqe;
	size_t len;

	if (u->send_busy || c->sent >= c->issued)
		return 0;
	len = load_conn_fill(c, buf, s->scap);
	sqe = ur_sqe(s, OP_SEND, u->gen, i);
	io_uring_prep_send(sqe, (int)i, buf, len, MSG_NOSIGNAL | MSG_WAITALL);
	sqe->flags |= IOSQE_FIXED_FILE;
	if (c->t->o->depth == 1 && c->sent_off == 0 && len == c->t->req_len) {
		sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
		u->send_quiet = true;
		load_conn_sent(c, len);
		return 0;
	}
	u->send_busy = true;
	return 0;
}

static void ur_arm_recv(struct uring_state *s, struct load_conn *c)
{
	uint32_t i = slot_of(c);
	struct io_uring_sqe *sqe = ur_sqe(s, OP_RECV, s->uc[i].gen, i);

	io_uring_prep_recv_multishot(sqe, (int)i, NULL, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	sqe->buf_group = BUF_GROUP;
	s->uc[i].recv_armed = true;
}

static void ur_cancel(struct uring_state *s, enum op op, uint32_t gen, uint32_t conn)
{
	struct io_uring_sqe *sqe = ur_sqe(s, OP_CANCEL, gen, conn);

	io_uring_prep_cancel64(sqe, op_data_gen(op, gen, conn), 0);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
}

/*
 * Cancels what is in flight on the socket (each holds a reference to it) and
 * empties the slot, so the socket closes once they are gone. Their last CQEs
 * carry the old generation and are dropped.
 */
static void ur_close(struct load_conn *c)
{
	struct uring_state *s = us_of(c);
	uint32_t i = slot_of(c);
	struct uconn *u = &s->uc[i];
	struct io_uring_sqe *sqe;

	if (u->connecting)
		ur_cancel(s, OP_CONNECT, u->gen, i);
	if (u->recv_armed)
		ur_cancel(s, OP_RECV, u->gen, i);
	/* A quiet send may still be in flight only while its request is unanswered. */
	if (u->send_busy || (u->send_quiet && c->done < c->issued))
		ur_cancel(s, OP_SEND, u->gen, i);
	sqe = ur_sqe(s, OP_CLOSE, u->gen, i);
	io_uring_prep_close_direct(sqe, i);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	*u = (struct uconn){.gen = (u->gen + 1) & GEN_MASK};
}

/*
 * A multishot recv's CQE. Without IORING_CQE_F_MORE it has ended and is armed
 * again, also after -ENOBUFS: buffers are given back within this pass, before
 * the next submit, so the new recv finds them.
 */
static void ur_recv(struct uring_state *s, struct load_conn *c, const struct io_uring_cqe *cqe,
		    uint64_t now)
{
	bool more = cqe->flags & IORING_CQE_F_MORE;
	int res = cqe->res;

	if (!more)
		s->uc[slot_of(c)].recv_armed = false;
	if (res > 0) {
		uint16_t bid = (uint16_t)(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
		int torn = load_conn_input(c, uring_buf_addr(&s->bufs, bid), (size_t)res, now);

		uring_buf_return(&s->bufs, bid);
		if (!torn && !more)
			ur_arm_recv(s, c);
	} else if (res == 0) {
		load_conn_eof(c, now);
	} else if (res == -ENOBUFS) {
		LOG_DBG("connection %u: recv ran out of buffers, armed again", c->id);
		uring_bufs_flush(&s->bufs); /* in case an SQE is submitted before the pass ends */
		ur_arm_recv(s, c);
	} else {
		load_conn_fail(c, LERR_RESET, -res, now);
	}
}

static void ur_cqe(struct load_thread *t, const struct io_uring_cqe *cqe, uint64_t now)
{
	struct uring_state *s = t->es;
	uint32_t i = cqe_to_conn(cqe);
	enum op op = (enum op)cqe_to_op(cqe);
	struct load_conn *c = &t->conns[i];
	struct uconn *u = &s->uc[i];

	if (op == OP_CANCEL || op == OP_CLOSE || cqe_to_gen(cqe) != u->gen) {
		/* Done with, or from a socket already closed: only a buffer to give back. */
		if (cqe->flags & IORING_CQE_F_BUFFER)
			uring_buf_return(&s->bufs,
					 (uint16_t)(cqe->flags >> IORING_CQE_BUFFER_SHIFT));
		return;
	}
	switch (op) {
	case OP_SOCKET: /* posts only on failure (CQE_SKIP_SUCCESS); its CONNECT is cancelled */
		u->connecting = false;
		load_conn_fail(c, LERR_CONNECT, -cqe->res, now);
		break;
	case OP_CONNECT:
		u->connecting = false;
		if (cqe->res < 0) {
			load_conn_fail(c, LERR_CONNECT, -cqe->res, now);
			break;
		}
		ur_arm_recv(s, c);
		load_conn_established(c, now);
		break;
	case OP_SEND:
		if (!u->send_busy || cqe->res < 0) { /* a quiet send posts only when it failed */
			load_conn_fail(c, LERR_RESET, cqe->res < 0 ? -cqe->res : EPIPE, now);
			break;
		}
		u->send_busy = false;
		load_conn_sent(c, (size_t)cqe->res);
		ur_flush(c, now);
		break;
	case OP_RECV:
		ur_recv(s, c, cqe, now);
		break;
	default:
		break;
	}
}

/* Handles every CQE there is, then hands the buffers back. */
static void ur_reap(struct load_thread *t)
{
	struct uring_state *s = t->es;
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;
	uint64_t now = now_ns();

	io_uring_for_each_cqe(&s->ring, head, cqe)
	{
		ur_cqe(t, cqe, now);
		n++;
	}
	io_uring_cq_advance(&s->ring, n);
	uring_bufs_flush(&s->bufs);
}

/* One io_uring_enter: submit the pass's SQEs and wait for a CQE or the timeout. */
static int ur_wait(struct load_thread *t, uint64_t wait_ns)
{
	struct uring_state *s = t->es;
	struct __kernel_timespec ts = {.tv_sec = (long long)(wait_ns / 1000000000ull),
				       .tv_nsec = (long long)(wait_ns % 1000000000ull)};
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_submit_and_wait_timeout(&s->ring, &cqe, 1, &ts, NULL);
	if (ret < 0 && ret != -ETIME && ret != -EINTR) {
		LOG_ERR("thread %u: io_uring_submit_and_wait_timeout: %s", t->idx, strerror(-ret));
		return -1;
	}
	ur_reap(t);
	return 0;
}

/*
 * Open loop's pass: one enter that submits the due sends and runs the deferred
 * completions (DEFER_TASKRUN: they wait for an enter with GETEVENTS) without
 * waiting, then a second submit for the sends that the responses freed: the
 * thread sleeps next, and a queued SQE would wait a tick.
 */
static int ur_poll(struct load_thread *t)
{
	struct uring_state *s = t->es;
	int ret = io_uring_submit_and_get_events(&s->ring);

	if (ret < 0 && ret != -EINTR) {
		LOG_ERR("thread %u: io_uring_submit_and_get_events: %s", t->idx, strerror(-ret));
		return -1;
	}
	ur_reap(t);
	if (io_uring_sq_ready(&s->ring))
		io_uring_submit(&s->ring);
	return 0;
}

const struct load_engine load_engine_uring = {
    .name = "uring",
    .probe = ur_probe,
    .init = ur_init,
    .fini = ur_fini,
    .connect = ur_connect,
    .flush = ur_flush,
    .close = ur_close,
    .wait = ur_wait,
    .poll = ur_poll,
};
