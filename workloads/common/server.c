/*
 * Options, signals, readiness, the --max-conns counter and the accept backoff
 * shared by every ringside server.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "models.h"
#include "net.h"
#include "opts.h"
#include "server.h"
#include "work.h"

atomic_int server_stop;
static atomic_uint conns_open;
static atomic_bool accept_starved;

enum {
	OPT_MODEL = 256,
	OPT_HOST,
	OPT_PORT,
	OPT_THREADS,
	OPT_CPUS,
	OPT_MAX_CONNS,
	OPT_IDLE_TIMEOUT,
	OPT_SQ_CPU,
	OPT_SQ_IDLE,
	OPT_READY_FD,
	OPT_BACKLOG,
	OPT_WORK_US,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option common_longopts[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"host", required_argument, NULL, OPT_HOST},
    {"port", required_argument, NULL, OPT_PORT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"sq-cpu", required_argument, NULL, OPT_SQ_CPU},
    {"sq-idle-ms", required_argument, NULL, OPT_SQ_IDLE},
    {"ready-fd", required_argument, NULL, OPT_READY_FD},
    {"backlog", required_argument, NULL, OPT_BACKLOG},
    {"work-us", required_argument, NULL, OPT_WORK_US},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
};

static const char common_usage[] =
    "  --model M            the I/O model (below)\n"
    "  --host ADDR          address to listen on (default 127.0.0.1)\n"
    "  --port N             port, 0 = ephemeral (default 0; the ready line says which)\n"
    "  --threads N          event loops, each with its own SO_REUSEPORT listener (default 1;\n"
    "                       the blocking model uses one thread per connection instead)\n"
    "  --cpus LIST          pin loop i to the i-th CPU of LIST, e.g. 0 or 0-1 (default: no "
    "pinning)\n"
    "  --max-conns N        connections held at once; more are closed at accept (default 65536)\n"
    "  --idle-timeout MS    drop a connection silent this long, 0 = never (default 0)\n"
    "  --sq-cpu N           SQPOLL models: pin the kernel SQPOLL thread to CPU N\n"
    "  --sq-idle-ms N       SQPOLL models: idle time before the SQPOLL thread sleeps (default "
    "1000)\n"
    "  --ready-fd FD        write \"ready PORT\\n\" to FD once listening (default: stdout)\n"
    "  --backlog N          listen backlog (default 4096)\n"
    "  --work-us N          simulated application work: a calibrated CPU spin of N us\n"
    "                       per request (echo: per message read; default 0)\n"
    "  --help               this text\n"
    "  --version            print the version and exit\n";

static void on_stop_signal(int sig)
{
	(void)sig;
	server_stop = 1;
}

void server_setup_process(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	net_raise_nofile();
}

static void set_stop_signals(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(how, &set, NULL);
}

void server_block_signals(void)
{
	set_stop_signals(SIG_BLOCK);
}

void server_unblock_signals(void)
{
	set_stop_signals(SIG_UNBLOCK);
}

void server_ready(const struct server_opts *o, unsigned port)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static bool done;
	char line[32];
	int n;

	pthread_mutex_lock(&lock);
	if (!done) {
		done = true;
		n = snprintf(line, sizeof(line), "ready %u\n", port);
		if (o->ready_fd >= 0) {
			if (write(o->ready_fd, line, n) != n)
				PLOG_WARN("cannot write ready line to fd %d", o->ready_fd);
			close(o->ready_fd);
		} else {
			fputs(line, stdout);
			fflush(stdout);
		}
	}
	pthread_mutex_unlock(&lock);
}

bool server_conn_get(const struct server_opts *o)
{
	if (atomic_fetch_add_explicit(&conns_open, 1, memory_order_relaxed) < o->max_conns)
		return true;
	atomic_fetch_sub_explicit(&conns_open, 1, memory_order_relaxed);
	return false;
}

void server_conn_put(void)
{
	atomic_fetch_sub_explicit(&conns_open, 1, memory_order_relaxed);
}

bool server_accept_failed(int err)
{
	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM)
		return false; /* ECONNABORTED and the like: that connection is gone */
	if (!atomic_exchange_explicit(&accept_starved, true, memory_order_relaxed))
		LOG_WARN("accept: %s; pausing accepts while descriptors are short "
			 "(logged once until an accept succeeds)",
			 strerror(err));
	return true;
}

void server_accept_ok(void)
{
	/* A load, not a store, on the hot path: the flag's line stays shared. */
	if (atomic_load_explicit(&accept_starved, memory_order_relaxed))
		atomic_store_explicit(&accept_starved, false, memory_order_relaxed);
}

static void print_help(const struct server_parse *p)
{
	printf("usage: %s %s[options]\n\n%s\nmodels:\n", rs_prog, p->model ? "" : "--model M ",
	       common_usage);
	for (const struct model_info *m = models_table; m->name; m++)
		if (m->flags & p->serves && !(m->flags & MODEL_PEER))
			printf("  %-18s %s\n", m->name, m->help);
	fputs(p->usage ? p->usage : "", stdout);
}

/* The model o->model names, refused unless this binary serves it. */
static const struct model_info *check_model(const char *name, const struct server_parse *p)
{
	const struct model_info *m = models_find_with(name, 0);
	char list[256];

	if (m && m->flags & p->serves && !(m->flags & MODEL_PEER))
		return m;
	models_join(p->serves, MODEL_PEER, ", ", list, sizeof(list));
	usage_error("unknown model '%s' (models: %s)", name, list);
	return NULL;
}

void server_parse_opts(int argc, char **argv, struct server_opts *o, const struct server_parse *p)
{
	const struct option *extra_longopts = p->longopts;
	const struct model_info *model;
	size_t ncommon = sizeof(common_longopts) / sizeof(common_longopts[0]), nextra = 0;
	struct option longopts[64];
	int opt;

	*o = (struct server_opts){
	    .host = "127.0.0.1",
	    .threads = 1,
	    .max_conns = 65536,
	    .sq_cpu = -1,
	    .sq_idle_ms = 1000,
	    .ready_fd = -1,
	    .backlog = 4096,
	    .model = p->model,
	    .workload = p->ctx,
	};
	CPU_ZERO(&o->cpus);
	while (extra_longopts && extra_longopts[nextra].name)
		nextra++;
	if (ncommon + nextra + 1 > sizeof(longopts) / sizeof(longopts[0]))
		DIE("too many options");
	memcpy(longopts, common_longopts, sizeof(common_longopts));
	if (nextra)
		memcpy(longopts + ncommon, extra_longopts, nextra * sizeof(*longopts));
	memset(&longopts[ncommon + nextra], 0, sizeof(*longopts));

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_MODEL:
			o->model = optarg;
			break;
		case OPT_HOST:
			if (!*optarg)
				usage_error("--host needs an address");
			o->host = optarg;
			break;
		case OPT_PORT:
			o->port = opt_uint("port", optarg, 0, 65535);
			break;
		case OPT_THREADS:
			o->threads = opt_uint("threads", optarg, 1, 1024);
			break;
		case OPT_CPUS:
			opt_cpus("cpus", optarg, &o->cpus);
			break;
		case OPT_MAX_CONNS:
			o->max_conns = opt_uint("max-conns", optarg, 1, 1000000);
			break;
		case OPT_IDLE_TIMEOUT:
			o->idle_timeout_ms = opt_uint("idle-timeout", optarg, 0, 3600000);
			break;
		case OPT_SQ_CPU:
			o->sq_cpu =
			    opt_uint("sq-cpu", optarg, 0, sysconf(_SC_NPROCESSORS_CONF) - 1);
			break;
		case OPT_SQ_IDLE:
			o->sq_idle_ms = opt_uint("sq-idle-ms", optarg, 0, 600000);
			break;
		case OPT_READY_FD:
			o->ready_fd = opt_uint("ready-fd", optarg, 0, 1 << 20);
			break;
		case OPT_BACKLOG:
			o->backlog = opt_uint("backlog", optarg, 1, 1 << 20);
			break;
		case OPT_WORK_US:
			o->work_us = opt_uint("work-us", optarg, 0, 1000000);
			break;
		case OPT_HELP:
			print_help(p);
			exit(RS_EXIT_OK);
		case OPT_VERSION:
			printf("%s %s\n", rs_prog, RINGSIDE_VERSION);
			exit(RS_EXIT_OK);
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
		case '?':
			usage_error("unknown option '%s'", argv[optind - 1]);
		default:
			if (!p->extra || p->extra(opt, optarg, p->ctx))
				usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->model) {
		char list[256];

		models_join(p->serves, MODEL_PEER, ", ", list, sizeof(list));
		usage_error("--model is required (%s)", list);
	}
	model = check_model(o->model, p);
	o->sqpoll = model->flags & MODEL_SQPOLL;
	o->cq_busy_poll = model->flags & MODEL_CQ_BUSY_POLL;
	if (!o->sqpoll && o->sq_cpu >= 0)
		usage_error("--sq-cpu only applies to the SQPOLL models");
	work_init(o->work_us);
}

const struct server_model *server_find_model(const struct server_model *const *models,
					     const char *name)
{
	for (; *models; models++)
		if (strcmp((*models)->name, name) == 0)
			return *models;
	return NULL;
}
