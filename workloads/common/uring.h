/*
 * io_uring setup shared by the servers' io_uring models (echo and proxy uring.c;
 * liburing >= 2.3, Linux >= 6.1): the ring and its setup flags, one line on why the
 * kernel refused it, a registered provided-buffer ring, taking an SQE when the SQ
 * is full, and the user_data packing. Each model keeps its own enum op and CQEs.
 */
#ifndef RS_URING_H
#define RS_URING_H

#include <liburing.h>
#include <stdint.h>

#include "server.h"

/*
 * Sets up ring with sq_entries SQEs and cq_entries CQEs for one loop, the way
 * --model asks (o->sqpoll, --sq-cpu, --sq-idle-ms). Call it on the loop's own
 * thread: SINGLE_ISSUER binds the ring to it. Returns an RS_EXIT_* code; a refusal
 * is logged by uring_refused().
 */
int uring_queue_init(struct io_uring *ring, const struct server_opts *o, unsigned sq_entries,
		     unsigned cq_entries);

/*
 * io_uring_setup(flags) failed with err (negative errno): logs one line saying why
 * (once per process) and returns RS_EXIT_UNSUPPORTED when the kernel refused (exit 3),
 * else RS_EXIT_FAIL.
 */
int uring_refused(int err, unsigned flags);

/*
 * A provided-buffer ring registered as one buffer group: count buffers (a power of
 * two) of size bytes each. A recv with IOSQE_BUFFER_SELECT takes one; the model gives
 * it back with uring_buf_return() and publishes the returns with uring_bufs_flush().
 */
struct uring_bufs {
	struct io_uring_buf_ring *br;
	char *base;
	unsigned count, size;
	unsigned nreturned; /* buffers added to the ring since the last flush */
};

/* Maps and registers the ring on group bgid, every buffer in it; RS_EXIT_* code. */
int uring_bufs_init(struct uring_bufs *b, struct io_uring *ring, unsigned bgid, unsigned count,
		    unsigned size, int loop_id);
/* Unmaps what uring_bufs_init() mapped (the ring is unregistered by queue_exit). */
void uring_bufs_free(struct uring_bufs *b);

static inline char *uring_buf_addr(const struct uring_bufs *b, uint16_t bid)
{
	return b->base + (size_t)bid * b->size;
}

/* Gives a buffer back to the kernel; visible after uring_bufs_flush(). */
static inline void uring_buf_return(struct uring_bufs *b, uint16_t bid)
{
	io_uring_buf_ring_add(b->br, uring_buf_addr(b, bid), b->size, bid,
			      io_uring_buf_ring_mask(b->count), b->nreturned++);
}

/* Publishes the returned buffers; how many there were. */
static inline unsigned uring_bufs_flush(struct uring_bufs *b)
{
	unsigned n = b->nreturned;

	if (n) {
		io_uring_buf_ring_advance(b->br, n);
		b->nreturned = 0;
	}
	return n;
}

/*
 * user_data: the model's operation (its own enum op, < 256) in bits 56-63, a
 * generation number in 32-55 (the load generator bumps it when a slot gets a new
 * socket, so late CQEs of the old one are recognised; 0 where unused), and the
 * connection's slot id (slots.h) in 0-31.
 */
#define URING_GEN_MASK 0xffffffu

static inline uint64_t op_data_gen(unsigned op, uint32_t gen, uint32_t conn)
{
	return (uint64_t)op << 56 | (uint64_t)(gen & URING_GEN_MASK) << 32 | conn;
}

static inline uint64_t op_data(unsigned op, uint32_t conn)
{
	return op_data_gen(op, 0, conn);
}

static inline unsigned cqe_to_op(const struct io_uring_cqe *cqe)
{
	return (unsigned)(cqe->user_data >> 56);
}

static inline uint32_t cqe_to_gen(const struct io_uring_cqe *cqe)
{
	return (uint32_t)(cqe->user_data >> 32) & URING_GEN_MASK;
}

static inline uint32_t cqe_to_conn(const struct io_uring_cqe *cqe)
{
	return (uint32_t)cqe->user_data;
}

/*
 * The next free SQE, never NULL: a request dropped here strands its connection (a
 * lost recv never reads again, a lost cancel leaves a closing connection waiting
 * forever for a CQE), and 10k connections arriving or closing at once fill the SQ.
 * When it is full, submits what is queued; with SQPOLL that only wakes the kernel
 * thread, and slots free up once it has consumed them, so wait for that. Retries
 * while the kernel takes nothing (io_uring_enter's -EAGAIN when it cannot allocate
 * requests: transient).
 */
static inline struct io_uring_sqe *uring_get_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe;

	while (!(sqe = io_uring_get_sqe(ring))) {
		io_uring_submit(ring);
		if (ring->flags & IORING_SETUP_SQPOLL)
			io_uring_sqring_wait(ring);
	}
	return sqe;
}

#endif
