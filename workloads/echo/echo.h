/*
 * The echo server's models and what they share. Every model echoes each byte it
 * receives back on the same connection until the peer closes. One file per model
 * (blocking.c, epoll.c, uring.c) with the same function set, so a diff of two
 * files shows only the I/O model; loops.c runs the per-thread event loops.
 */
#ifndef RS_ECHO_H
#define RS_ECHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server.h"

extern const struct server_model echo_blocking_model;
extern const struct server_model echo_epoll_model;
extern const struct server_model echo_uring_model;
extern const struct server_model echo_uring_sqpoll_model;
extern const struct server_model echo_uring_sqpoll_busy_model;

/* Longest a loop waits before it looks at server_stop and its timers again. */
#define ECHO_WAIT_MS 100
/* After accept fails with EMFILE/ENFILE, stop accepting this long (or until a close). */
#define ECHO_ACCEPT_BACKOFF_MS 10

/*
 * An event-loop model (epoll, uring) as loops.c drives it: one loop per
 * --threads, each on its own thread with its own SO_REUSEPORT listener.
 * init() runs on the loop's thread (io_uring's SINGLE_ISSUER binds the ring to
 * it) and returns an RS_EXIT_* code; run() returns when server_should_stop().
 */
struct echo_loop_ops {
	size_t loop_size;	/* bytes of the model's private loop state */
	bool nonblock_listener; /* listener needs O_NONBLOCK (epoll) or not (io_uring) */
	int (*init)(void *loop, const struct server_opts *o, int id, int listen_fd);
	int (*run)(void *loop);
	void (*fini)(void *loop);
};

int echo_run_loops(const struct server_opts *o, const struct echo_loop_ops *ops);

/*
 * io_uring_setup(flags) failed with err (negative errno): logs one line saying
 * why and returns RS_EXIT_UNSUPPORTED when the kernel refused, else RS_EXIT_FAIL.
 */
int echo_uring_refused(int err, unsigned flags);

/* Connections open in this process, for --max-conns (shared by all loops). */
bool echo_conn_get(const struct server_opts *o);
void echo_conn_put(void);

/*
 * Idle list for --idle-timeout: connections in order of last activity, oldest
 * first, so expiring them looks only at the head. O(1) per event.
 */
struct echo_idle {
	struct echo_idle *prev, *next;
	uint64_t last_ns;
};

static inline void echo_idle_init(struct echo_idle *head)
{
	head->prev = head->next = head;
}

static inline void echo_idle_del(struct echo_idle *e)
{
	if (!e->next)
		return;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->prev = e->next = NULL;
}

/* Marks e active at now and moves it to the tail (newest). */
static inline void echo_idle_touch(struct echo_idle *head, struct echo_idle *e, uint64_t now)
{
	echo_idle_del(e);
	e->last_ns = now;
	e->prev = head->prev;
	e->next = head;
	head->prev->next = e;
	head->prev = e;
}

/* The oldest entry silent for at least timeout_ns at now, or NULL. */
static inline struct echo_idle *echo_idle_expired(struct echo_idle *head, uint64_t now,
						  uint64_t timeout_ns)
{
	struct echo_idle *e = head->next;

	if (e == head || now - e->last_ns < timeout_ns)
		return NULL;
	return e;
}

/* Milliseconds a loop may wait before the oldest entry expires (at most max_ms). */
static inline int echo_idle_wait_ms(struct echo_idle *head, uint64_t now, uint64_t timeout_ns,
				    int max_ms)
{
	uint64_t left;

	if (!timeout_ns || head->next == head)
		return max_ms;
	left = head->next->last_ns + timeout_ns;
	left = left > now ? (left - now + 999999) / 1000000 : 0;
	return left < (uint64_t)max_ms ? (int)left : max_ms;
}

#endif
