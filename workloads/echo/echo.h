/*
 * The echo server's models and what they share. Every model echoes each byte it
 * receives back on the same connection until the peer closes. One file per model
 * (blocking.c, epoll.c, uring.c) with the same function set, so a diff of two
 * files shows only the I/O model. The event-loop models (epoll, uring) run under
 * workloads/common/loops.h; --max-conns and the accept backoff are in server.h.
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

/*
 * The echo server's own settings (server_opts.workload). jitter_us is a test
 * knob: each process draws delay_us from 0..jitter_us once at start and sleeps
 * that long before every reply, so throughput differs from run to run (tests of
 * `ringside run --repeat auto` need a server whose runs disagree).
 */
struct echo_cfg {
	unsigned jitter_us;
	unsigned delay_us;
};

/* Sleeps the process's jitter delay, if --jitter-us asked for one (epoll, uring). */
void echo_jitter(const struct server_opts *o);

/* Longest a loop waits before it looks at server_stop and its timers again. */
#define ECHO_WAIT_MS 100
/* A recv stopped by an empty buffer ring (-ENOBUFS) is retried this often. */
#define ECHO_BUFWAIT_RETRY_MS 10

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
