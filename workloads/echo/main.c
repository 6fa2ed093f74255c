/*
 * ringside-echo: echoes every byte back on the same connection, in the I/O model
 * chosen with --model. Options and the model table only; each model is its own
 * file (blocking.c, epoll.c, uring.c).
 */
#include <getopt.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "echo.h"
#include "log.h"
#include "models.h"
#include "opts.h"
#include "server.h"

enum { OPT_JITTER_US = 512 };

static const struct option echo_longopts[] = {
    {"jitter-us", required_argument, NULL, OPT_JITTER_US},
    {NULL, 0, NULL, 0},
};

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
    "blocking ignores --threads and turns --idle-timeout into SO_RCVTIMEO/SO_SNDTIMEO.\n"
    "Exit 3 means the kernel refused the model.\n"
    "\n"
    "echo options:\n"
    "  --jitter-us N        test knob (epoll, uring): sleep a delay drawn once per process\n"
    "                       from 0..N us before every reply, so runs disagree (default 0)\n"
    "\n"
    "Examples:\n"
    "  ringside-echo --model epoll --port 7000 --threads 2 --cpus 0-1\n"
    "  ringside-echo --model uring-sqpoll --cpus 0 --sq-cpu 1 --sq-idle-ms 100\n"
    "  ringside-echo --model uring-sqpoll-busy --cpus 0 --sq-cpu 1\n";

static struct echo_cfg cfg;

static int echo_opt(int opt, const char *arg, void *ctx)
{
	struct echo_cfg *c = ctx;

	if (opt != OPT_JITTER_US)
		return -1;
	c->jitter_us = opt_uint("jitter-us", arg, 0, 1000000);
	return 0;
}

void echo_jitter(const struct server_opts *o)
{
	const struct echo_cfg *c = o->workload;

	if (c->delay_us)
		usleep(c->delay_us);
}

int main(int argc, char **argv)
{
	const struct server_parse parse = {
	    .serves = MODEL_ECHO,
	    .longopts = echo_longopts,
	    .extra = echo_opt,
	    .ctx = &cfg,
	    .usage = echo_usage,
	};
	const struct server_model *m;
	struct server_opts o;

	log_init(argv[0]);
	server_parse_opts(argc, argv, &o, &parse);
	m = server_find_model(echo_models, o.model);
	if (!m) /* in the table but not built into this binary */
		usage_error("model '%s' is not built into %s", o.model, rs_prog);
	if (cfg.jitter_us) {
		srand((unsigned)time(NULL) ^ (unsigned)getpid() << 8);
		cfg.delay_us = (unsigned)((double)rand() / RAND_MAX * cfg.jitter_us);
	}
	server_setup_process();
	return m->run(&o);
}
