/*
 * The options of `ringside run`: the suites, --help (its model lists read the
 * table in lib/models.h), and run_parse_opts, which fills struct run_opts from
 * its designated-initializer defaults, the suite, then the options, each bounds-checked.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "remote.h"
#include "sweep.h"
#include "log.h"
#include "models.h"
#include "cpus.h"
#include "opts.h"

/* A suite's models are its workload's entries of lib/models.h without MODEL_OPT_IN. */
const struct run_suite run_suites[] = {
    {.name = "smoke",
     .help = "a quick check that every model works (a few seconds)",
     .workload = &rs_workload_echo,
     .conns = "10",
     .size = 64,
     .duration_s = 1,
     .warmup_s = 0.3,
     .repeat = 1,
     .max_repeat = 1},
    {.name = "echo",
     .help = "the echo sweep: the echo models across connection counts (default)",
     .workload = &rs_workload_echo,
     .conns = "1,10,100,1000",
     .size = 64,
     .duration_s = 0.5,
     .warmup_s = 0.25,
     .repeat = 0,
     .max_repeat = 6},
    {.name = "tinygate",
     .help = "the TinyGate story: the proxy models beside nginx and haproxy",
     .workload = &rs_workload_proxy,
     .conns = "1,10,100,1000",
     .size = 4096,
     .duration_s = 0.5,
     .warmup_s = 0.25,
     .repeat = 0,
     .max_repeat = 6},
    {.name = "curve",
     .help = "latency against throughput: open-loop rate sweeps of the echo models",
     .workload = &rs_workload_echo,
     .conns = "100",
     .size = 64,
     .duration_s = 1,
     .warmup_s = 0.3,
     .repeat = 1,
     .max_repeat = 1,
     .sweep = "rate",
     .slo_p99_us = 1000},
    {.name = "curve-proxy",
     .help = "latency against throughput: rate sweeps of the proxy models, nginx, haproxy",
     .workload = &rs_workload_proxy,
     .conns = "100",
     .size = 4096,
     .duration_s = 1,
     .warmup_s = 0.3,
     .repeat = 1,
     .max_repeat = 1,
     .sweep = "rate",
     .slo_p99_us = 5000},
    {.name = NULL},
};

void run_suite_models(const struct run_suite *s, char *buf, size_t len)
{
	models_join(s->workload->model_flag, MODEL_OPT_IN, ",", buf, len);
}

static const char run_usage_head[] =
    "usage: ringside run [options]\n"
    "\n"
    "Runs every (model, connections) cell of a suite: a fresh pinned server per\n"
    "repetition, the load generator on the client CPUs, /proc snapshots of the server\n"
    "over the measured window. Writes results.json after every cell.\n"
    "\n"
    "options:\n"
    "  --suite NAME          smoke | echo | tinygate | curve | curve-proxy (default\n"
    "                        echo); see `ringside list`\n"
    "  --workload NAME       echo | proxy (default: the suite's; custom runs: echo)\n"
    "  --models LIST         comma-separated models (below; default: the suite's)\n"
    "  --connections LIST    comma-separated connection counts, 1..100000\n"
    "  --payload LIST        echo message sizes, bytes: an axis (default 64)\n"
    "  --body LIST           proxy response body sizes, bytes: an axis (default 4096)\n"
    "  --sweep rate          open-loop rate sweep per (model, connections, size): the\n"
    "                        curve of p99 against throughput, its knee (docs/curves.md)\n"
    "  --rates auto|LIST     the sweep's offered req/s: auto (default) probes capacity\n"
    "                        closed-loop, then rises from 10% by x1.25 until saturation,\n"
    "                        the SLO or the client ends it; LIST runs every rate\n"
    "  --slo-p99-us N        the sweep's p99 SLO, us (curve: 1000, curve-proxy: 5000)\n"
    "  --work-us N           simulated work per request in ringside's servers, us\n"
    "  --churn               a new connection per request (echo and proxy)\n"
    "  --origin NAME         proxy origin: ringside | nginx (default ringside)\n"
    "  --duration S          measured window per run, seconds\n"
    "  --warmup S            warmup before the window, seconds (default: the suite's,\n"
    "                        and at least 1 ms per connection)\n"
    "  --repeat N|auto       repetitions per cell, each with a fresh server; auto (the\n"
    "                        echo and tinygate default): 3 rounds, then more only for\n"
    "                        cells whose requests/s 95% CI is wider than --target-ci\n"
    "  --target-ci PCT       auto: CI half-width to reach, % of the median (default 5)\n"
    "  --max-repeat N        auto: at most N repetitions (default 10; suites: 6)\n"
    "  --order ORDER         interleaved (default): each round runs every cell once in\n"
    "                        a fresh shuffled order; sequential: model-major, a cell's\n"
    "                        repetitions back to back\n"
    "  --seed N              the shuffle's seed (default: from the clock; recorded)\n"
    "  --server-arg ARG      append ARG to the ringside server's command line\n"
    "                        (repeatable; not for nginx/haproxy), e.g. --jitter-us=500\n"
    "  --server NAME='COMMAND'\n"
    "                        bring your own server as model NAME (repeatable; added\n"
    "                        to the models unless --models places it): run pinned as\n"
    "                        /bin/sh -c 'exec COMMAND', ready once {port} accepts,\n"
    "                        probed across its forks, stopped with its process group.\n"
    "                        Placeholders: {port} {host} {cpus} {threads} {upstream}\n"
    "                        {upstream_host} {upstream_port} (proxy) {tmpdir} (a fresh\n"
    "                        directory per run) {config}; {{port}} is a literal {port}\n"
    "  --server-config NAME=TEMPLATE\n"
    "                        TEMPLATE is a file path (or, holding a newline, the text\n"
    "                        itself); expanded into {tmpdir}, and {config} names it\n"
    "  --peer-config TOOL=FILE\n"
    "                        nginx or haproxy runs the template FILE (same\n"
    "                        placeholders; {port} its listen port, {upstream} the\n"
    "                        origin) instead of ringside's generated config\n"
    "  --host-header NAME    the Host header of every request (proxy; default the\n"
    "                        target address), e.g. for a proxy that routes by host\n"
    "  --server-cpus LIST    CPUs for the server (default 0)\n"
    "  --client-cpus LIST    CPUs for the load generator (default: the others)\n"
    "  --sqpoll-cpu N        CPU for the SQPOLL thread (default: the server's first CPU)\n"
    "  --load-threads N      load generator threads (default: one per client CPU)\n"
    "  --depth D             requests in flight per connection (default 1)\n"
    "  --rate R              open loop at R requests/s in all (default: closed loop)\n"
    "  --probes MODE         auto | on | off: BPF syscall probes (default auto)\n"
    "  --out DIR             result directory (default results/<UTC time>-<suite>)\n"
    "  --quiet               no progress or per-cell lines, only the table\n"
    "  --client-host [USER@]HOST[:SSHPORT]\n"
    "                        run a load generator on HOST over ssh (repeatable: the\n"
    "                        connections and --rate are divided between the hosts)\n"
    "  --client-exec 'PREFIX' run a load generator under PREFIX, e.g. 'ip netns exec\n"
    "                        ns1' (repeatable; split at spaces, no shell quoting)\n"
    "  --server-addr ADDR    the server binds ADDR and the load generators dial it\n"
    "                        (default 127.0.0.1; required with --client-host/-exec)\n"
    "  --ssh-option K=V      passed to every ssh as -o K=V (repeatable); also\n"
    "                        RINGSIDE_SSH_OPTS='-i KEY -F FILE' (split at spaces)\n"
    "  --ssh-timeout S       ssh ConnectTimeout; each ssh step gets S+10 s (default 5)\n"
    "  --remote-load PATH    ringside-load already installed on the hosts (default:\n"
    "                        copy this one into a temporary directory over ssh)\n"
    "  -h, --help            this text\n";

static const char run_usage_tail[] =
    "\n"
    "Giving --models, --connections or --workload without --suite runs suite\n"
    "\"custom\" with the echo suite's other settings (tinygate's for --workload proxy).\n"
    "Proxy cells start the origin (on the client CPUs), then the proxy, then the load\n"
    "generator in HTTP mode, which checks every status and body length.\n"
    "\n"
    "examples:\n"
    "  ringside run --suite smoke\n"
    "  ringside run --suite curve\n"
    "  ringside run --sweep rate --models epoll --work-us 100 --slo-p99-us 2000\n"
    "  ringside run --models epoll,uring --payload 64,1024 --repeat 1\n"
    "  ringside run --models epoll,uring --connections 1,100 --repeat 5\n"
    "  ringside run --suite tinygate --connections 10 --duration 1 --repeat 1\n"
    "  ringside run --workload proxy --models epoll,nginx --body 16384 --origin nginx\n"
    "  ringside run --models epoll --server socat-echo='socat\n"
    "      TCP-LISTEN:{port},bind={host},reuseaddr,fork EXEC:cat'\n"
    "  ringside run --suite tinygate --server tg='/opt/tinygate {config}' \\\n"
    "      --server-config tg=proxy.ini.in --host-header localhost   (docs/tinygate.md)\n"
    "  ringside run --suite echo --server-cpus 0 --client-cpus 1 --out results/mine\n"
    "  ringside run --models epoll --client-host me@load1 --client-host me@load2 \\\n"
    "      --server-addr 10.0.0.1\n";

enum {
	OPT_SUITE = 256,
	OPT_MODELS,
	OPT_CONNS,
	OPT_PAYLOAD,
	OPT_WORKLOAD,
	OPT_BODY,
	OPT_ORIGIN,
	OPT_DURATION,
	OPT_WARMUP,
	OPT_REPEAT,
	OPT_SERVER_CPUS,
	OPT_CLIENT_CPUS,
	OPT_SQPOLL_CPU,
	OPT_LOAD_THREADS,
	OPT_DEPTH,
	OPT_RATE,
	OPT_PROBES,
	OPT_OUT,
	OPT_QUIET,
	OPT_TARGET_CI,
	OPT_MAX_REPEAT,
	OPT_ORDER,
	OPT_SEED,
	OPT_SERVER_ARG,
	OPT_CLIENT_HOST,
	OPT_CLIENT_EXEC,
	OPT_SERVER_ADDR,
	OPT_SSH_OPTION,
	OPT_SSH_TIMEOUT,
	OPT_REMOTE_LOAD,
	OPT_SERVER,
	OPT_SERVER_CONFIG,
	OPT_PEER_CONFIG,
	OPT_SWEEP,
	OPT_RATES,
	OPT_SLO,
	OPT_WORK_US,
	OPT_CHURN,
	OPT_HOST_HEADER,
};

static const struct option run_longopts[] = {
    {"suite", required_argument, NULL, OPT_SUITE},
    {"models", required_argument, NULL, OPT_MODELS},
    {"connections", required_argument, NULL, OPT_CONNS},
    {"payload", required_argument, NULL, OPT_PAYLOAD},
    {"workload", required_argument, NULL, OPT_WORKLOAD},
    {"body", required_argument, NULL, OPT_BODY},
    {"origin", required_argument, NULL, OPT_ORIGIN},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"server-cpus", required_argument, NULL, OPT_SERVER_CPUS},
    {"client-cpus", required_argument, NULL, OPT_CLIENT_CPUS},
    {"sqpoll-cpu", required_argument, NULL, OPT_SQPOLL_CPU},
    {"load-threads", required_argument, NULL, OPT_LOAD_THREADS},
    {"depth", required_argument, NULL, OPT_DEPTH},
    {"rate", required_argument, NULL, OPT_RATE},
    {"probes", required_argument, NULL, OPT_PROBES},
    {"out", required_argument, NULL, OPT_OUT},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"target-ci", required_argument, NULL, OPT_TARGET_CI},
    {"max-repeat", required_argument, NULL, OPT_MAX_REPEAT},
    {"order", required_argument, NULL, OPT_ORDER},
    {"seed", required_argument, NULL, OPT_SEED},
    {"server-arg", required_argument, NULL, OPT_SERVER_ARG},
    {"client-host", required_argument, NULL, OPT_CLIENT_HOST},
    {"client-exec", required_argument, NULL, OPT_CLIENT_EXEC},
    {"server-addr", required_argument, NULL, OPT_SERVER_ADDR},
    {"ssh-option", required_argument, NULL, OPT_SSH_OPTION},
    {"ssh-timeout", required_argument, NULL, OPT_SSH_TIMEOUT},
    {"remote-load", required_argument, NULL, OPT_REMOTE_LOAD},
    {"server", required_argument, NULL, OPT_SERVER},
    {"server-config", required_argument, NULL, OPT_SERVER_CONFIG},
    {"peer-config", required_argument, NULL, OPT_PEER_CONFIG},
    {"sweep", required_argument, NULL, OPT_SWEEP},
    {"rates", required_argument, NULL, OPT_RATES},
    {"slo-p99-us", required_argument, NULL, OPT_SLO},
    {"work-us", required_argument, NULL, OPT_WORK_US},
    {"churn", no_argument, NULL, OPT_CHURN},
    {"host-header", required_argument, NULL, OPT_HOST_HEADER},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

const struct rs_workload *const run_workloads[] = {&rs_workload_echo, &rs_workload_proxy, NULL};

void run_print_models(FILE *f)
{
	for (const struct rs_workload *const *w = run_workloads; *w; w++) {
		fprintf(f, "\nmodels (%s workload):\n", (*w)->name);
		for (const struct model_info *m = models_table; m->name; m++)
			if (m->flags & (*w)->model_flag)
				fprintf(f, "  %-18s %s%s\n", m->name, m->help,
					m->flags & MODEL_OPT_IN ? " (only when named)" : "");
	}
}

/* --help: the fixed text with the model lists of the table in between. */
static void print_usage(void)
{
	fputs(run_usage_head, stdout);
	run_print_models(stdout);
	fputs(run_usage_tail, stdout);
}

const struct run_suite *run_find_suite(const char *name)
{
	for (const struct run_suite *s = run_suites; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

/* Splits a model list into o->models (strings point into a static copy). */
static void parse_models(struct run_opts *o, const char *arg)
{
	static char buf[512];
	char *save = NULL, *tok;

	if (strlen(arg) >= sizeof(buf) || !*arg || arg[strlen(arg) - 1] == ',' || *arg == ',' ||
	    strstr(arg, ",,"))
		usage_error("invalid --models '%s': expected e.g. epoll,uring", arg);
	strcpy(buf, arg);
	o->nmodels = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!workloads_model_find_with(tok, o->workload->model_flag)) {
			char list[256];

			models_join(o->workload->model_flag, 0, ", ", list, sizeof(list));
			usage_error("unknown model '%s' for workload %s (models: %s%s)", tok,
				    o->workload->name, list,
				    o->nservers ? ", and the --server ones" : "");
		}
		for (int i = 0; i < o->nmodels; i++)
			if (!strcmp(o->models[i], tok))
				usage_error("model '%s' given twice in --models", tok);
		if (o->nmodels == RS_MAX_MODELS)
			usage_error("too many models in --models (at most %d)", RS_MAX_MODELS);
		o->models[o->nmodels++] = tok;
	}
}

static void parse_conns(struct run_opts *o, const char *arg)
{
	if (parse_uint_list(arg, o->conns, RS_MAX_CONNS, &o->nconns, 1, 100000))
		usage_error("invalid --connections '%s': expected up to %d comma-separated "
			    "counts from 1 to 100000",
			    arg, RS_MAX_CONNS);
}

static void apply_suite(struct run_opts *o, const struct run_suite *s)
{
	char models[256];

	o->workload = s->workload;
	run_suite_models(s, models, sizeof(models));
	parse_models(o, models);
	parse_conns(o, s->conns);
	o->size = o->sizes[0] = s->size;
	o->nsizes = 1;
	o->duration_s = s->duration_s;
	o->warmup_s = s->warmup_s;
	o->repeat = s->repeat;
	o->max_repeat = s->max_repeat;
}

/* --client-host/--client-exec: o->remote points here once one is given. */
static struct remote_set remote_set = {.connect_timeout_s = 5};

/* --client-host/--client-exec and what goes with them; after the rest is parsed. */
static void parse_remote_opts(struct run_opts *o)
{
	unsigned char addr[16];
	char why[200];

	if (o->server_addr && inet_pton(AF_INET, o->server_addr, addr) != 1 &&
	    inet_pton(AF_INET6, o->server_addr, addr) != 1)
		usage_error("invalid --server-addr '%s': expected this machine's IPv4 or IPv6 "
			    "address",
			    o->server_addr);
	if (!remote_set.n) {
		if (remote_set.nssh_opts || remote_set.remote_load)
			usage_error("--ssh-option and --remote-load need --client-host or "
				    "--client-exec");
		return;
	}
	if (!o->server_addr)
		usage_error("--client-host/--client-exec need --server-addr ADDR: the address "
			    "of this machine the load generators dial");
	for (int i = 0; i < o->nmodels; i++)
		if (workloads_model_find(o->models[i])->flags & MODEL_PEER)
			usage_error(
			    "model %s listens on 127.0.0.1 only: --client-host/--client-exec "
			    "need ringside's own servers",
			    o->models[i]);
	for (int i = 0; i < o->nconns; i++)
		if (o->conns[i] < (unsigned long)remote_set.n)
			usage_error(
			    "--connections %lu cannot be divided between %d load generators",
			    o->conns[i], remote_set.n);
	if (o->rate > 0 && o->rate < remote_set.n)
		usage_error("--rate %g cannot be divided between %d load generators", o->rate,
			    remote_set.n);
	remote_set.server_addr = o->server_addr;
	if (remote_finish(&remote_set, why, sizeof(why)))
		usage_error("%s", why);
	o->remote = &remote_set;
}
void run_parse_opts(struct run_opts *o, int argc, char **argv)
{
	const char *suite = NULL, *models = NULL, *conns = NULL, *payload = NULL, *duration = NULL,
		   *warmup = NULL, *repeat = NULL, *max_repeat = NULL, *server_cpus = NULL,
		   *client_cpus = NULL, *sqpoll_cpu = NULL, *workload = NULL, *body = NULL,
		   *origin = NULL, *sweep = NULL, *rates = NULL, *slo = NULL;
	struct run_custom_args custom = {0};
	const struct run_suite *base;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int c;

	*o = (struct run_opts){
	    .workload = &rs_workload_echo,
	    .depth = 1,
	    .probes = "auto",
	    .timeout_s = 10,
	    .target_ci_pct = 5,
	    .seed = ((uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid()) & RUN_SEED_MAX,
	    .argv = argv,
	    .argc = argc,
	};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", run_longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SUITE:
			suite = optarg;
			break;
		case OPT_MODELS:
			models = optarg;
			break;
		case OPT_CONNS:
			conns = optarg;
			break;
		case OPT_PAYLOAD:
			payload = optarg;
			break;
		case OPT_WORKLOAD:
			workload = optarg;
			break;
		case OPT_BODY:
			body = optarg;
			break;
		case OPT_ORIGIN:
			origin = optarg;
			break;
		case OPT_DURATION:
			duration = optarg;
			break;
		case OPT_WARMUP:
			warmup = optarg;
			break;
		case OPT_REPEAT:
			repeat = optarg;
			break;
		case OPT_SERVER_CPUS:
			server_cpus = optarg;
			break;
		case OPT_CLIENT_CPUS:
			client_cpus = optarg;
			break;
		case OPT_SQPOLL_CPU:
			sqpoll_cpu = optarg;
			break;
		case OPT_LOAD_THREADS:
			o->load_threads = opt_uint("load-threads", optarg, 1, 1024);
			break;
		case OPT_DEPTH:
			o->depth = opt_uint("depth", optarg, 1, 1024);
			break;
		case OPT_RATE:
			o->rate = opt_double("rate", optarg, 1, 1e9);
			break;
		case OPT_PROBES:
			if (strcmp(optarg, "auto") && strcmp(optarg, "on") && strcmp(optarg, "off"))
				usage_error("invalid --probes '%s': expected auto, on or off",
					    optarg);
			o->probes = optarg;
			break;
		case OPT_OUT:
			if (!*optarg || strlen(optarg) > PATH_MAX - 64)
				usage_error("invalid --out '%s'", optarg);
			o->out = optarg;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_TARGET_CI:
			o->target_ci_pct = opt_double("target-ci", optarg, 0.01, 100);
			break;
		case OPT_MAX_REPEAT:
			max_repeat = optarg;
			break;
		case OPT_ORDER:
			if (strcmp(optarg, "interleaved") && strcmp(optarg, "sequential"))
				usage_error("invalid --order '%s': expected interleaved or "
					    "sequential",
					    optarg);
			o->sequential = !strcmp(optarg, "sequential");
			break;
		case OPT_SEED:
			o->seed = opt_uint("seed", optarg, 0, RUN_SEED_MAX);
			break;
		case OPT_SERVER_ARG:
			if (o->nserver_args == RUN_MAX_SERVER_ARGS)
				usage_error("at most %d --server-arg", RUN_MAX_SERVER_ARGS);
			o->server_args[o->nserver_args++] = optarg;
			break;
		case OPT_CLIENT_HOST:
		case OPT_CLIENT_EXEC:
		case OPT_SSH_OPTION: {
			char why[200];

			if ((c == OPT_CLIENT_HOST ? remote_add_host
			     : c == OPT_CLIENT_EXEC
				 ? remote_add_exec
				 : remote_add_ssh_option)(&remote_set, optarg, why, sizeof(why)))
				usage_error("%s", why);
			break;
		}
		case OPT_SERVER_ADDR:
			o->server_addr = optarg;
			break;
		case OPT_SSH_TIMEOUT:
			remote_set.connect_timeout_s = opt_double("ssh-timeout", optarg, 1, 600);
			break;
		case OPT_REMOTE_LOAD:
			if (optarg[0] != '/')
				usage_error("--remote-load needs an absolute path");
			remote_set.remote_load = optarg;
			break;
		case OPT_SWEEP:
			sweep = optarg;
			break;
		case OPT_RATES:
			rates = optarg;
			break;
		case OPT_SLO:
			slo = optarg;
			break;
		case OPT_WORK_US:
			o->work_us = opt_uint("work-us", optarg, 0, 1000000);
			break;
		case OPT_CHURN:
			o->churn = true;
			break;
		case OPT_SERVER:
		case OPT_SERVER_CONFIG:
		case OPT_PEER_CONFIG: {
			const char **list = c == OPT_SERVER	     ? custom.servers
					    : c == OPT_SERVER_CONFIG ? custom.configs
								     : custom.peers;
			int *n = c == OPT_SERVER	  ? &custom.nservers
				 : c == OPT_SERVER_CONFIG ? &custom.nconfigs
							  : &custom.npeers;

			if (*n == CUSTOM_MAX)
				usage_error("at most %d of each of --server, --server-config and "
					    "--peer-config",
					    CUSTOM_MAX);
			list[(*n)++] = optarg;
			break;
		}
		case OPT_HOST_HEADER:
			if (!*optarg || strpbrk(optarg, " \t\r\n"))
				usage_error("invalid --host-header '%s'", optarg);
			o->host_header = optarg;
			break;
		case 'h':
			print_usage();
			exit(RS_EXIT_OK);
		case ':':
			usage_error("option %s needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);

	if (suite && !run_find_suite(suite))
		usage_error("unknown suite '%s' (suites: smoke, echo, tinygate, curve, "
			    "curve-proxy)",
			    suite);
	if (workload && strcmp(workload, "echo") && strcmp(workload, "proxy"))
		usage_error("unknown workload '%s' (workloads: echo, proxy)", workload);
	o->suite = suite					      ? suite
		   : (models || conns || workload || custom.nservers) ? "custom"
								      : "echo";
	base = run_find_suite(suite ? suite : "echo");
	if (!suite && workload && !strcmp(workload, "proxy"))
		base = run_find_suite("tinygate");
	if (workload && strcmp(workload, base->workload->name))
		usage_error("suite '%s' is the %s workload, not %s", base->name,
			    base->workload->name, workload);
	apply_suite(o, base);
	run_custom_parse(o, &custom);
	if (models)
		parse_models(o, models);
	run_custom_models(o);
	if (conns)
		parse_conns(o, conns);
	if (payload && o->workload != &rs_workload_echo)
		usage_error("--payload is for the echo workload; proxy takes --body");
	if (o->host_header && o->workload != &rs_workload_proxy)
		usage_error("--host-header is for the proxy workload (--workload proxy)");
	if ((body || origin) && o->workload != &rs_workload_proxy)
		usage_error("--%s is for the proxy workload (--workload proxy)",
			    body ? "body" : "origin");
	if (origin && strcmp(origin, "ringside") && strcmp(origin, "nginx"))
		usage_error("invalid --origin '%s': expected ringside or nginx", origin);
	o->origin = origin ? origin : "ringside";
	if (duration)
		o->duration_s = opt_double("duration", duration, 0.001, 86400);
	if (warmup)
		o->warmup_s = opt_double("warmup", warmup, 0, 3600);
	o->warmup_per_conn_s = warmup ? 0 : RUN_WARMUP_PER_CONN_S;
	if (repeat && !strcmp(repeat, "auto"))
		o->repeat = 0;
	else if (repeat)
		o->repeat = opt_uint("repeat", repeat, 1, 1000);
	/* A named suite keeps its cap (sized to its time budget); custom runs get 10. */
	o->max_repeat = suite && base->max_repeat >= RUN_MIN_ROUNDS ? base->max_repeat : 10;
	if (max_repeat)
		o->max_repeat = opt_uint("max-repeat", max_repeat, 1, 1000);
	if (max_repeat && o->repeat)
		usage_error("--max-repeat is for --repeat auto");

	/* CPU layout: server on CPU 0, everything else on the rest; one CPU is shared. */
	CPU_ZERO(&o->server_cpus);
	CPU_ZERO(&o->client_cpus);
	if (ncpu < 1)
		ncpu = 1;
	CPU_SET(0, &o->server_cpus);
	for (long i = ncpu > 1 ? 1 : 0; i < ncpu && i < CPU_SETSIZE; i++)
		CPU_SET(i, &o->client_cpus);
	if (server_cpus)
		opt_cpus("server-cpus", server_cpus, &o->server_cpus);
	if (client_cpus)
		opt_cpus("client-cpus", client_cpus, &o->client_cpus);
	o->origin_cpus = o->client_cpus;
	o->sq_cpu = cpu_nth(&o->server_cpus, 0);
	if (sqpoll_cpu) {
		cpu_set_t one;

		o->sq_cpu = (int)opt_uint("sqpoll-cpu", sqpoll_cpu, 0, CPU_SETSIZE - 1);
		if (parse_cpu_list(sqpoll_cpu, &one))
			usage_error("invalid --sqpoll-cpu '%s': CPU %s does not exist", sqpoll_cpu,
				    sqpoll_cpu);
	}
	{
		cpu_set_t both;

		CPU_AND(&both, &o->server_cpus, &o->client_cpus);
		o->shared_cpu = CPU_COUNT(&both) > 0;
	}
	if (o->rate > 0 && o->depth > 1)
		usage_error("--rate and --depth cannot be combined");
	sweep_parse_opts(o, sweep ? sweep : base->sweep, rates, slo, payload ? payload : body);
	if (!slo)
		o->slo_p99_us = base->slo_p99_us;
	parse_remote_opts(o);
}
