/*
 * The event-loop runner shared by the servers' epoll and io_uring models (echo, proxy,
 * origin): one thread per --threads, pinned to cpu_nth(--cpus, i), each with its own
 * SO_REUSEPORT listener. The main thread reports readiness once every loop is set up,
 * then sleeps until SIGTERM/SIGINT.
 */
#ifndef RS_LOOPS_H
#define RS_LOOPS_H

#include <stdbool.h>
#include <stddef.h>

#include "server.h"

/*
 * An event-loop model as server_run_loops() drives it. init() runs on the loop's
 * thread (io_uring's SINGLE_ISSUER binds the ring to it) and returns an RS_EXIT_*
 * code; run() returns when server_should_stop() (or an RS_EXIT_* code on failure,
 * which stops the whole server); fini() runs after run() on the same thread.
 */
struct server_loop_ops {
	size_t loop_size;	/* bytes of the model's private loop state */
	bool nonblock_listener; /* listener needs O_NONBLOCK (epoll) or not (io_uring) */
	int (*init)(void *loop, const struct server_opts *o, int id, int listen_fd);
	int (*run)(void *loop);
	void (*fini)(void *loop);
};

/*
 * Runs o->threads loops until SIGTERM/SIGINT; returns an RS_EXIT_* code. The first
 * listener binds --port (possibly 0), the rest bind the port it got; a port already
 * in use fails at once (net_port_free), so SO_REUSEPORT never shares it with a
 * leftover server.
 */
int server_run_loops(const struct server_opts *o, const struct server_loop_ops *ops);

#endif
