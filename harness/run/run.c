/*
 * `ringside run` and `ringside list`: suites, option parsing and validation,
 * the CPU layout, the loop over cells, and SIGINT/SIGTERM handling (the
 * current cell's children are stopped and results.json says "interrupted").
 * One cell is cell.c; the document is results.c; output is table.c.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cell.h"
#include "models.h"
#include "options.h"
#include "peers.h"
#include "probes.h"
#include "remote.h"
#include "results.h"
#include "table.h"
#include "log.h"
#include "net.h"
#include "opts.h"

volatile sig_atomic_t run_interrupted;

/* --client-host/--client-exec: o->remote points here once one is given. */
static struct remote_set remote_set = {.connect_timeout_s = 5};

struct suite {
	const char *name;
	const char *help;
	const struct rs_workload *workload;
	const char *models;
	const char *conns;
	unsigned long size;
	double duration_s, warmup_s;
	unsigned long repeat;
};

static const struct suite suites[] = {
    {"smoke", "a quick check that every model works (a few seconds)", &rs_workload_echo,
     "blocking,epoll,uring,uring-sqpoll", "10", 64, 1, 0.3, 1},
    {"echo", "the echo sweep: four models across connection counts (default)", &rs_workload_echo,
     "blocking,epoll,uring,uring-sqpoll", "1,10,100,1000", 64, 5, 1, 3},
    {"tinygate", "the TinyGate story: four proxy models beside nginx and haproxy",
     &rs_workload_proxy, "blocking,epoll,uring,uring-sqpoll,nginx,haproxy", "1,10,100,1000", 4096,
     5, 1, 3},
};

static const char run_usage[] =
    "usage: ringside run [options]\n"
    "\n"
    "Runs every (model, connections) cell of a suite: a fresh pinned server per\n"
    "repetition, the load generator on the client CPUs, /proc snapshots of the server\n"
    "over the measured window. Writes results.json after every cell.\n"
    "\n"
    "options:\n"
    "  --suite NAME          smoke | echo | tinygate (default echo); see `ringside list`\n"
    "  --workload NAME       echo | proxy (default: the suite's; custom runs: echo)\n"
    "  --models LIST         comma-separated models (blocking,epoll,uring,uring-sqpoll;\n"
    "                        proxy also nginx,haproxy)\n"
    "  --connections LIST    comma-separated connection counts, 1..100000\n"
    "  --payload BYTES       echo message size (default 64)\n"
    "  --body BYTES          proxy response body size (default 4096)\n"
    "  --origin NAME         proxy origin: ringside | nginx (default ringside)\n"
    "  --duration S          measured window per run, seconds\n"
    "  --warmup S            warmup before the window, seconds\n"
    "  --repeat N            repetitions per cell (fresh server each)\n"
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
    "  -h, --help            this text\n"
    "\n"
    "Giving --models, --connections or --workload without --suite runs suite\n"
    "\"custom\" with the echo suite's other settings (tinygate's for --workload proxy).\n"
    "Proxy cells start the origin (on the client CPUs), then the proxy, then the load\n"
    "generator in HTTP mode, which checks every status and body length.\n"
    "\n"
    "examples:\n"
    "  ringside run --suite smoke\n"
    "  ringside run --models epoll,uring --connections 1,100 --repeat 5\n"
    "  ringside run --suite tinygate --connections 10 --duration 1 --repeat 1\n"
    "  ringside run --workload proxy --models epoll,nginx --body 16384 --origin nginx\n"
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
	OPT_CLIENT_HOST,
	OPT_CLIENT_EXEC,
	OPT_SERVER_ADDR,
	OPT_SSH_OPTION,
	OPT_SSH_TIMEOUT,
	OPT_REMOTE_LOAD,
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
    {"client-host", required_argument, NULL, OPT_CLIENT_HOST},
    {"client-exec", required_argument, NULL, OPT_CLIENT_EXEC},
    {"server-addr", required_argument, NULL, OPT_SERVER_ADDR},
    {"ssh-option", required_argument, NULL, OPT_SSH_OPTION},
    {"ssh-timeout", required_argument, NULL, OPT_SSH_TIMEOUT},
    {"remote-load", required_argument, NULL, OPT_REMOTE_LOAD},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const struct suite *find_suite(const char *name)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (!strcmp(suites[i].name, name))
			return &suites[i];
	return NULL;
}

static bool known_model(const struct rs_workload *w, const char *m)
{
	for (int i = 0; w->models[i]; i++)
		if (!strcmp(w->models[i], m))
			return true;
	return false;
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
		if (!known_model(o->workload, tok)) {
			char list[160] = "";

			for (int i = 0; o->workload->models[i]; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 i ? ", " : "", o->workload->models[i]);
			usage_error("unknown model '%s' for workload %s (models: %s)", tok,
				    o->workload->name, list);
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

static void apply_suite(struct run_opts *o, const struct suite *s)
{
	o->workload = s->workload;
	parse_models(o, s->models);
	parse_conns(o, s->conns);
	o->size = s->size;
	o->duration_s = s->duration_s;
	o->warmup_s = s->warmup_s;
	o->repeat = s->repeat;
}

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
		if (peer_is(o->models[i]))
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

/* Parses and validates everything; exits 2 with one line on any problem. */
static void parse_run_opts(struct run_opts *o, int argc, char **argv)
{
	const char *suite = NULL, *models = NULL, *conns = NULL, *payload = NULL, *duration = NULL,
		   *warmup = NULL, *repeat = NULL, *server_cpus = NULL, *client_cpus = NULL,
		   *sqpoll_cpu = NULL, *workload = NULL, *body = NULL, *origin = NULL;
	const struct suite *base;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int c;

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
		case 'h':
			fputs(run_usage, stdout);
			exit(RS_EXIT_OK);
		case ':':
			usage_error("option %s needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);

	if (suite && !find_suite(suite))
		usage_error("unknown suite '%s' (suites: smoke, echo, tinygate)", suite);
	if (workload && strcmp(workload, "echo") && strcmp(workload, "proxy"))
		usage_error("unknown workload '%s' (workloads: echo, proxy)", workload);
	o->suite = suite ? suite : (models || conns || workload) ? "custom" : "echo";
	base = find_suite(suite ? suite : "echo");
	if (!suite && workload && !strcmp(workload, "proxy"))
		base = find_suite("tinygate");
	if (workload && strcmp(workload, base->workload->name))
		usage_error("suite '%s' is the %s workload, not %s", base->name,
			    base->workload->name, workload);
	apply_suite(o, base);
	if (models)
		parse_models(o, models);
	if (conns)
		parse_conns(o, conns);
	if (payload && o->workload != &rs_workload_echo)
		usage_error("--payload is for the echo workload; proxy takes --body");
	if ((body || origin) && o->workload != &rs_workload_proxy)
		usage_error("--%s is for the proxy workload (--workload proxy)",
			    body ? "body" : "origin");
	if (payload)
		o->size = opt_uint("payload", payload, 1, 1 << 20);
	if (body)
		o->size = opt_uint("body", body, 1, 16 << 20);
	if (origin && strcmp(origin, "ringside") && strcmp(origin, "nginx"))
		usage_error("invalid --origin '%s': expected ringside or nginx", origin);
	o->origin = origin ? origin : "ringside";
	if (duration)
		o->duration_s = opt_double("duration", duration, 0.001, 86400);
	if (warmup)
		o->warmup_s = opt_double("warmup", warmup, 0, 3600);
	if (repeat)
		o->repeat = opt_uint("repeat", repeat, 1, 1000);

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
	o->timeout_s = 10;
	parse_remote_opts(o);
}

static void on_signal(int sig)
{
	run_interrupted = sig;
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: polls return */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static struct {
	const struct run_opts *o;
	int cells_done, total;
	double per_run_s;
} progress_state;

static void on_progress(const struct cell_spec *c, int rep, bool probed)
{
	const struct run_opts *o = progress_state.o;
	int passes = cell_probes && strcmp(o->probes, "off") ? 2 : 1;
	int left = (c->total - c->index) * (int)o->repeat * passes - rep * passes - probed;

	table_progress(o, c, rep, probed, left * progress_state.per_run_s);
}

static int exit_code_for(int sig)
{
	return 128 + sig;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {
	    .workload = &rs_workload_echo,
	    .depth = 1,
	    .probes = "auto",
	    .argv = argv,
	    .argc = argc,
	};
	char base[PATH_MAX], dir[PATH_MAX], path[PATH_MAX + 32], stamp[32];
	struct cell_spec spec;
	char **full;
	char *command;
	json_t *doc;
	int total, rc = RS_EXIT_OK;

	parse_run_opts(&o, argc, argv);
	if (probes_init(o.probes))
		return RS_EXIT_FAIL;
	total = o.nmodels * o.nconns;

	/* The recorded command is the whole ringside command line. */
	full = calloc(argc + 2, sizeof(*full));
	full[0] = "ringside";
	for (int i = 0; i < argc; i++)
		full[i + 1] = argv[i];
	command = results_quote_argv(argc + 1, full);
	free(full);

	results_utc_now(stamp, sizeof(stamp), true);
	if (o.out)
		snprintf(base, sizeof(base), "%s", o.out);
	else
		snprintf(base, sizeof(base), "results/%s-%s", stamp, o.suite);
	install_signals();
	if (results_make_dir(base, dir, sizeof(dir))) {
		free(command);
		return RS_EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/results.json", dir);
	doc = results_new(&o, command);
	free(command);
	if (results_write(path, doc)) {
		json_decref(doc);
		return RS_EXIT_FAIL;
	}
	/* Peer configs, nginx's body file and logs: removed when the run ends. */
	if (o.workload->origin_bin) {
		snprintf(o.tmpdir, sizeof(o.tmpdir), "/tmp/ringside-XXXXXX");
		if (!mkdtemp(o.tmpdir)) {
			PLOG_ERR("cannot create a temporary directory under /tmp");
			json_decref(doc);
			return RS_EXIT_FAIL;
		}
	}
	/* Keep ringside itself off the server's CPUs. */
	pin_self(&o.client_cpus);
	if (o.shared_cpu && !o.quiet)
		LOG_WARN("server and client share CPU(s): figures include their interference");

	progress_state.o = &o;
	progress_state.total = total;
	progress_state.per_run_s = o.warmup_s + o.duration_s + 0.3;
	for (int i = 0; i < total && !run_interrupted; i++) {
		json_t *cell;

		spec = (struct cell_spec){
		    .workload = o.workload,
		    .model = o.models[i / o.nconns],
		    .connections = o.conns[i % o.nconns],
		    .index = i,
		    .total = total,
		};
		cell = cell_measure(&o, &spec, on_progress);
		if (!cell)
			break;
		results_add_cell(doc, cell);
		table_cell_line(&o, &spec, cell);
		if (results_write(path, doc))
			rc = RS_EXIT_FAIL;
	}
	table_progress_done();
	probes_fini();
	remote_cleanup(o.remote);
	peer_tmp_remove(o.tmpdir);
	if (run_interrupted) {
		results_set_status(doc, "interrupted");
		results_write(path, doc);
		LOG_INFO("interrupted by %s; finished cells are in %s", strsignal(run_interrupted),
			 path);
		json_decref(doc);
		return exit_code_for(run_interrupted);
	}
	results_set_status(doc, "complete");
	if (results_write(path, doc))
		rc = RS_EXIT_FAIL;
	table_print(stdout, doc);
	printf("results: %s\n", path);
	fflush(stdout);
	json_decref(doc);
	return rc;
}

int cmd_list(int argc, char **argv)
{
	static const struct {
		const struct rs_workload *w;
		const char *help;
	} workloads[] = {
	    {&rs_workload_echo,
	     "echo server; the load generator sends --payload bytes and verifies the echo"},
	    {&rs_workload_proxy, "HTTP/1.1 reverse proxy in front of an origin serving --body "
				 "bytes; the load generator checks status and body length"},
	};

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: ringside list\n\nLists the suites, workloads and models.\n");
		return RS_EXIT_OK;
	}
	if (argc > 1)
		usage_error("unexpected argument '%s'", argv[1]);
	printf("suites:\n");
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		const struct suite *s = &suites[i];

		printf("  %-8s %s\n", s->name, s->help);
		printf("           workload %s; models %s; connections %s; %s %lu B; duration "
		       "%g s, warmup %g s, repeat %lu\n",
		       s->workload->name, s->models, s->conns,
		       s->workload == &rs_workload_echo ? "payload" : "body", s->size,
		       s->duration_s, s->warmup_s, s->repeat);
	}
	printf("  %-8s what --models/--connections/--workload without --suite give: the echo "
	       "suite's settings otherwise (tinygate's for proxy)\n",
	       "custom");
	printf("\nworkloads:\n");
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		printf("  %-8s %s\n", workloads[i].w->name, workloads[i].help);
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++) {
		const struct rs_workload *w = workloads[i].w;

		printf("\nmodels (%s):\n", w->name);
		for (int m = 0; w->models[m]; m++)
			printf("  %-13s %s\n", w->models[m], w->model_help[m]);
	}
	return RS_EXIT_OK;
}
