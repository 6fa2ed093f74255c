/*
 * Echo over io_uring (liburing >= 2.3, kernel >= 6.1): one ring and SO_REUSEPORT
 * listener per thread, multishot accept, multishot recv into a registered
 * provided-buffer ring, and a send from the same buffer, which goes back to the
 * ring only once its send completed. --model uring-sqpoll is this file with
 * IORING_SETUP_SQPOLL: a kernel thread submits, so only waiting for completions
 * enters the kernel; uring-sqpoll-busy also spins on the CQ instead of waiting.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo.h"
#include "work.h"
#include "log.h"
#include "loops.h"
#include "net.h"
#include "clock.h"
#include "slots.h"
#include "uring.h"

#define SQ_ENTRIES    1024
#define CQ_ENTRIES    16384 /* multishot requests post many CQEs per SQE */
#define BUF_GROUP     0
#define BUF_COUNT     1024 /* provided buffers per loop (a power of two) */
#define BUF_SIZE      (16 * 1024)
#define CONN_MAX_BUFS 8 /* queued for send before recv pauses (peer not reading) */
#define CONN_LOW_BUFS 2 /* ... and resumes at or below this */
#define BUF_NONE      0xffff

/* user_data (op_data, cqe_to_op, cqe_to_conn in uring.h): an op and a conn id. */
enum op { OP_ACCEPT = 1, OP_RECV, OP_SEND, OP_CANCEL };

struct conn {
	int fd;		 /* -1 while the slot is free */
	bool recv_armed; /* a multishot recv is in flight */
	bool send_armed; /* a send of the head buffer is in flight */
	bool paused;	 /* recv cancelled: CONN_MAX_BUFS await sending */
	bool eof;	 /* peer sent FIN: close once the queue is out */
	bool closing;	 /* torn down: waiting for in-flight requests */
	uint16_t qhead;	 /* FIFO of received buffers, linked by buf_next */
	uint16_t qtail;
	uint16_t qlen;
	uint32_t head_off;	  /* bytes of the head buffer already sent */
	struct echo_idle idle;	  /* --idle-timeout list */
	struct echo_idle bufwait; /* on the loop's list while waiting for buffers */
};

struct loop {
	const struct server_opts *o;
	int id;
	int listen_fd;
	struct io_uring ring;
	uint64_t idle_ns;
	uint64_t accept_resume_ns; /* accept re-armed then (EMFILE backoff); 0 = armed */
	uint64_t bufwait_retry_ns; /* next retry of a recv stalled by -ENOBUFS */
	int rc;			   /* set when the loop must stop with an error */
	struct conn *conns;
	struct slots slots;
	struct echo_idle idle_list;
	struct echo_idle bufwait_list; /* recv stopped by -ENOBUFS, oldest first */
	struct uring_bufs bufs;
	uint16_t buf_next[BUF_COUNT];
	uint32_t buf_len[BUF_COUNT];
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

static uint32_t conn_id(struct loop *l, struct conn *c)
{
	return c - l->conns;
}

static void queue_push(struct loop *l, struct conn *c, uint16_t bid, uint32_t len)
{
	l->buf_len[bid] = len;
	l->buf_next[bid] = BUF_NONE;
	if (c->qlen++)
		l->buf_next[c->qtail] = bid;
	else
		c->qhead = bid;
	c->qtail = bid;
}

static void queue_pop(struct loop *l, struct conn *c)
{
	uint16_t bid = c->qhead;

	c->qhead = l->buf_next[bid];
	c->qlen--;
	c->head_off = 0;
	uring_buf_return(&l->bufs, bid);
}

static void accept_arm(struct loop *l)
{
	struct io_uring_sqe *sqe = uring_get_sqe(&l->ring);

	io_uring_prep_multishot_accept(sqe, l->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, op_data(OP_ACCEPT, 0));
}

static void accept_resume(struct loop *l)
{
	if (!l->accept_resume_ns)
		return;
	l->accept_resume_ns = 0;
	accept_arm(l);
}

static void recv_arm(struct loop *l, struct conn *c)
{
	struct io_uring_sqe *sqe = uring_get_sqe(&l->ring);

	io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BUF_GROUP;
	io_uring_sqe_set_data64(sqe, op_data(OP_RECV, conn_id(l, c)));
	c->recv_armed = true;
}

/* Re-arms recv unless the connection is closing, done, paused or out of buffers. */
static void recv_maybe_arm(struct loop *l, struct conn *c)
{
	if (c->closing || c->eof || c->recv_armed || c->bufwait.next)
		return;
	if (c->paused && c->qlen > CONN_LOW_BUFS)
		return;
	c->paused = false;
	recv_arm(l, c);
}

/* A multishot recv cannot be paused, only cancelled; recv_maybe_arm resumes it. */
static void recv_pause(struct loop *l, struct conn *c)
{
	struct io_uring_sqe *sqe;

	if (c->paused || !c->recv_armed || c->qlen < CONN_MAX_BUFS)
		return;
	c->paused = true;
	LOG_DBG("conn %u: %u buffers unsent, pausing recv", conn_id(l, c), c->qlen);
	sqe = uring_get_sqe(&l->ring);
	io_uring_prep_cancel64(sqe, op_data(OP_RECV, conn_id(l, c)), 0);
	io_uring_sqe_set_data64(sqe, op_data(OP_CANCEL, conn_id(l, c)));
}

/* Sends (the rest of) the head buffer; one send in flight keeps the bytes in order. */
static void send_next(struct loop *l, struct conn *c)
{
	struct io_uring_sqe *sqe;
	uint16_t bid = c->qhead;

	if (c->send_armed || !c->qlen)
		return;
	sqe = uring_get_sqe(&l->ring);
	io_uring_prep_send(sqe, c->fd, uring_buf_addr(&l->bufs, bid) + c->head_off,
			   l->buf_len[bid] - c->head_off, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, op_data(OP_SEND, conn_id(l, c)));
	c->send_armed = true;
}

static void bufwait_add(struct loop *l, struct conn *c, uint64_t now)
{
	LOG_DBG("conn %u: buffer ring empty, recv waits", conn_id(l, c));
	echo_idle_touch(&l->bufwait_list, &c->bufwait, now);
	if (!l->bufwait_retry_ns)
		l->bufwait_retry_ns = now + ECHO_BUFWAIT_RETRY_MS * 1000000ull;
}

/* Re-arms the oldest recv waiting for buffers; false if none waits. */
static bool bufwait_wake(struct loop *l)
{
	struct echo_idle *e = l->bufwait_list.next;

	if (e == &l->bufwait_list) {
		l->bufwait_retry_ns = 0;
		return false;
	}
	echo_idle_del(e);
	recv_maybe_arm(l, (struct conn *)((char *)e - offsetof(struct conn, bufwait)));
	return true;
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
	recv_arm(l, c);
}

static void accept_done(struct loop *l, struct io_uring_cqe *cqe, uint64_t now)
{
	if (cqe->res >= 0)
		on_accept(l, cqe->res, now);
	if (cqe->flags & IORING_CQE_F_MORE)
		return;
	if (cqe->res == -EINVAL) {
		LOG_ERR("kernel refuses multishot accept (EINVAL); needs Linux 5.19 or later");
		l->rc = RS_EXIT_UNSUPPORTED;
	} else if (cqe->res < 0 && cqe->res != -ECANCELED) {
		/* EMFILE/ENFILE and the like: retry later instead of spinning. */
		if (!server_accept_failed(-cqe->res))
			LOG_DBG("accept: %s; pausing accepts", strerror(-cqe->res));
		l->accept_resume_ns = now_ns() + SERVER_ACCEPT_BACKOFF_MS * 1000000ull;
	} else if (cqe->res >= 0) {
		accept_arm(l); /* multishot ended (e.g. CQ overflow): re-arm */
	}
}

static void recv_done(struct loop *l, struct conn *c, struct io_uring_cqe *cqe, uint64_t now)
{
	int res = cqe->res;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		c->recv_armed = false;
	if (res > 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
		uint16_t bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

		if (c->closing) {
			uring_buf_return(&l->bufs, bid);
		} else {
			queue_push(l, c, bid, res);
			conn_touch(l, c, now);
			echo_jitter(l->o);
			work_do();
			send_next(l, c);
			recv_pause(l, c);
		}
	} else if (res == 0) {
		c->eof = true;
	} else if (res == -ENOBUFS) {
		/* The buffer ring ran dry; bufs_flush() re-arms once buffers return. */
		if (!c->recv_armed && !c->closing && !c->paused)
			bufwait_add(l, c, now);
	} else if (res != -ECANCELED) {
		conn_close(l, c); /* reset or other error */
		return;
	}
	if (c->closing)
		conn_close(l, c);
	else if (c->eof && !c->qlen && !c->send_armed && !c->recv_armed)
		conn_close(l, c);
	else
		recv_maybe_arm(l, c);
}

static void send_done(struct loop *l, struct conn *c, struct io_uring_cqe *cqe, uint64_t now)
{
	c->send_armed = false;
	if (c->closing || cqe->res <= 0) {
		conn_close(l, c);
		return;
	}
	conn_touch(l, c, now);
	c->head_off += cqe->res;
	if (c->head_off == l->buf_len[c->qhead])
		queue_pop(l, c);
	send_next(l, c); /* the next buffer, or the rest of a short send */
	if (c->eof && !c->qlen && !c->recv_armed)
		conn_close(l, c);
	else
		recv_maybe_arm(l, c);
}

/*
 * Tears a connection down: drops what it cannot send, cancels its requests, and
 * closes the socket once none is in flight (called again from their CQEs).
 */
static void conn_close(struct loop *l, struct conn *c)
{
	struct io_uring_sqe *sqe;

	if (!c->closing) {
		c->closing = true;
		echo_idle_del(&c->idle);
		echo_idle_del(&c->bufwait);
		while (c->qlen > (c->send_armed ? 1 : 0)) {
			/* Keep the head buffer while the kernel still sends from it. */
			uint16_t bid = c->send_armed ? l->buf_next[c->qhead] : c->qhead;

			if (c->send_armed) {
				l->buf_next[c->qhead] = l->buf_next[bid];
				c->qlen--;
				uring_buf_return(&l->bufs, bid);
			} else {
				queue_pop(l, c);
			}
		}
		if (c->recv_armed || c->send_armed) {
			sqe = uring_get_sqe(&l->ring);
			io_uring_prep_cancel_fd(sqe, c->fd, IORING_ASYNC_CANCEL_ALL);
			io_uring_sqe_set_data64(sqe, op_data(OP_CANCEL, conn_id(l, c)));
		}
	}
	if (c->recv_armed || c->send_armed)
		return;
	while (c->qlen)
		queue_pop(l, c);
	close(c->fd);
	conn_free(l, c);
	server_conn_put();
	accept_resume(l); /* a descriptor is free again */
}

static void handle_cqe(struct loop *l, struct io_uring_cqe *cqe, uint64_t now)
{
	struct conn *c = &l->conns[cqe_to_conn(cqe)];

	switch ((enum op)cqe_to_op(cqe)) {
	case OP_ACCEPT:
		accept_done(l, cqe, now);
		break;
	case OP_RECV:
		recv_done(l, c, cqe, now);
		break;
	case OP_SEND:
		send_done(l, c, cqe, now);
		break;
	case OP_CANCEL:
		break; /* the cancelled request reports itself */
	}
}

/* Publishes returned buffers, then re-arms as many recvs that ran dry. */
static void bufs_flush(struct loop *l)
{
	unsigned n = uring_bufs_flush(&l->bufs);

	while (n-- && bufwait_wake(l))
		;
}

static void expire_timers(struct loop *l, uint64_t now)
{
	struct echo_idle *e;

	while (l->idle_ns && (e = echo_idle_expired(&l->idle_list, now, l->idle_ns)))
		conn_close(l, (struct conn *)((char *)e - offsetof(struct conn, idle)));
	if (l->accept_resume_ns && now >= l->accept_resume_ns)
		accept_resume(l);
	/* Buffers may have come back before a recv reported -ENOBUFS: retry one. */
	if (l->bufwait_retry_ns && now >= l->bufwait_retry_ns) {
		l->bufwait_retry_ns =
		    bufwait_wake(l) ? now + ECHO_BUFWAIT_RETRY_MS * 1000000ull : 0;
	}
}

static int wait_ms(struct loop *l, uint64_t now)
{
	int ms = echo_idle_wait_ms(&l->idle_list, now, l->idle_ns, ECHO_WAIT_MS);

	if (l->accept_resume_ns && ms > SERVER_ACCEPT_BACKOFF_MS)
		ms = SERVER_ACCEPT_BACKOFF_MS;
	if (l->bufwait_retry_ns && ms > ECHO_BUFWAIT_RETRY_MS)
		ms = ECHO_BUFWAIT_RETRY_MS;
	return ms;
}

/* Submits everything queued and sleeps in the kernel until a CQE or ms pass. */
static int cq_wait(struct loop *l, int ms)
{
	struct __kernel_timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000};
	struct io_uring_cqe *cqe;

	/*
	 * One io_uring_enter(GETEVENTS); none when CQEs are already there. With
	 * SQPOLL it carries no submission work: the kernel thread picks the SQEs up.
	 */
	return io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, &ts, NULL);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/*
 * uring-sqpoll-busy (o->cq_busy_poll): the waiting half of the loop in user
 * space, so that steady state makes no syscall at all. Submitting enters the
 * kernel only when the SQPOLL thread went idle (IORING_SQ_NEED_WAKEUP), peeking
 * only when the CQ overflowed. Spins until a CQE arrives, ms pass (the timers
 * in expire_timers) or stop is asked; this CPU is busy all the while.
 */
static int cq_spin(struct loop *l, int ms)
{
	uint64_t end = now_ns() + ms * 1000000ull;
	struct io_uring_cqe *cqe;
	int ret = io_uring_submit(&l->ring);

	if (ret < 0)
		return ret;
	for (unsigned spins = 1; !io_uring_peek_batch_cqe(&l->ring, &cqe, 1); spins++) {
		if (server_should_stop())
			return -EINTR;
		if (spins % 256 == 0 && now_ns() >= end) /* vDSO clock: no syscall */
			return -ETIME;
		cpu_relax();
	}
	return 0;
}

/* ---- loop lifecycle ---- */

static void loop_free(struct loop *l, bool ring)
{
	if (ring)
		io_uring_queue_exit(&l->ring); /* cancels whatever is still in flight */
	uring_bufs_free(&l->bufs);
	free(l->conns);
	slots_fini(&l->slots);
}

static int loop_init(void *arg, const struct server_opts *o, int id, int listen_fd)
{
	struct loop *l = arg;
	int rc;

	l->o = o;
	l->id = id;
	l->listen_fd = listen_fd;
	l->idle_ns = o->idle_timeout_ms * 1000000ull;
	echo_idle_init(&l->idle_list);
	echo_idle_init(&l->bufwait_list);
	l->conns = calloc(o->max_conns, sizeof(*l->conns));
	if (!l->conns || slots_init(&l->slots, o->max_conns)) {
		LOG_ERR("loop %d: out of memory", id);
		loop_free(l, false);
		return RS_EXIT_FAIL;
	}
	rc = uring_queue_init(&l->ring, o, SQ_ENTRIES, CQ_ENTRIES);
	if (rc) {
		loop_free(l, false);
		return rc;
	}
	rc = uring_bufs_init(&l->bufs, &l->ring, BUF_GROUP, BUF_COUNT, BUF_SIZE, id);
	if (rc) {
		loop_free(l, true);
		return rc;
	}
	accept_arm(l);
	return RS_EXIT_OK;
}

static int loop_run(void *arg)
{
	struct loop *l = arg;
	struct io_uring_cqe *cqe;
	uint64_t now = now_ns();

	while (!server_should_stop() && !l->rc) {
		int ms = wait_ms(l, now);
		unsigned head, n = 0;
		int ret = l->o->cq_busy_poll ? cq_spin(l, ms) : cq_wait(l, ms);

		if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
			LOG_ERR("loop %d: waiting for CQEs: %s", l->id, strerror(-ret));
			return RS_EXIT_FAIL;
		}
		now = now_ns();
		io_uring_for_each_cqe(&l->ring, head, cqe)
		{
			handle_cqe(l, cqe, now);
			n++;
		}
		io_uring_cq_advance(&l->ring, n);
		bufs_flush(l);
		expire_timers(l, now);
	}
	return l->rc;
}

static void loop_fini(void *arg)
{
	struct loop *l = arg;

	io_uring_queue_exit(&l->ring);
	for (uint32_t i = 0; i < l->slots.used; i++)
		if (l->conns[i].fd >= 0)
			close(l->conns[i].fd);
	loop_free(l, false);
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

const struct server_model echo_uring_model = {.name = "uring", .run = uring_run};
const struct server_model echo_uring_sqpoll_model = {.name = "uring-sqpoll", .run = uring_run};
const struct server_model echo_uring_sqpoll_busy_model = {.name = "uring-sqpoll-busy",
							  .run = uring_run};
