/*
 * ringside-echo: echoes every byte back on the same connection, in the I/O model
 * chosen with --model. Options and the model table only; each model is its own
 * file (blocking.c, epoll.c, uring.c).
 */
#include "echo.h"
#include "log.h"
#include "server.h"

static const struct server_model *const echo_models[] = {
    &echo_blocking_model,
    &echo_epoll_model,
    &echo_uring_model,
    &echo_uring_sqpoll_model,
    &echo_uring_sqpoll_busy_model,
    NULL,
};

static const char echo_usage[] =
    "\n"
    "Models: blocking (a thread per connection; --threads is ignored, --idle-timeout\n"
    "becomes SO_RCVTIMEO/SO_SNDTIMEO), epoll, uring, uring-sqpoll (io_uring with a\n"
    "kernel submission thread), uring-sqpoll-busy (the same, and the loop spins on\n"
    "the completion queue instead of waiting in io_uring_enter: no syscalls in steady\n"
    "state, one more busy CPU). Exit 3 means the kernel refused the model.\n"
    "\n"
    "Examples:\n"
    "  ringside-echo --model epoll --port 7000 --threads 2 --cpus 0-1\n"
    "  ringside-echo --model uring-sqpoll --cpus 0 --sq-cpu 1 --sq-idle-ms 100\n"
    "  ringside-echo --model uring-sqpoll-busy --cpus 0 --sq-cpu 1\n";

int main(int argc, char **argv)
{
	const struct server_model *m;
	struct server_opts o;

	log_init(argv[0]);
	server_parse_opts(argc, argv, &o, NULL, NULL, NULL, echo_usage);
	m = server_find_model(echo_models, o.model);
	if (!m)
		usage_error("unknown model '%s' (blocking, epoll, uring, uring-sqpoll or "
			    "uring-sqpoll-busy)",
			    o.model);
	server_setup_process();
	return m->run(&o);
}
