/*
 * The options of `ringside run`, each declared once: a row of run_opt_rows
 * (name, value, help, how it is parsed with its bounds, where the document
 * records it), as the argp rows of bcc's libbpf-tools/syscount.c. From the rows
 * options_gen.c makes getopt's table, --help and config; options_check.c holds
 * the checks between options; suites.c the suites. run_parse_opts fills struct
 * run_opts from its designated-initializer defaults, the suite, then the options.
 */
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "options.h"
#include "core/estimate.h"
#include "core/stop.h"
#include "options_int.h"
#include "remote.h"
#include "log.h"
#include "models.h"
#include "cpus.h"
#include "opts.h"

/* --client-host/--client-exec: o->remote points here once one is given. */
static struct remote_set remote_set = {.connect_timeout_s = 5};

/* ---- the rows' own parsers and records, where a field and its bounds do not say it all ---- */

/* --server, --server-config and --peer-config, as given; checked once the workload is known. */
static struct run_custom_args custom_args;

static void parse_probes(struct run_opts *o, const char *arg)
{
	if (strcmp(arg, "auto") && strcmp(arg, "on") && strcmp(arg, "off"))
		usage_error("invalid --probes '%s': expected auto, on or off", arg);
	o->probes = arg;
}

static void parse_out(struct run_opts *o, const char *arg)
{
	if (!*arg || strlen(arg) > PATH_MAX - 64)
		usage_error("invalid --out '%s'", arg);
	o->out = arg;
}

static void parse_order(struct run_opts *o, const char *arg)
{
	if (strcmp(arg, "interleaved") && strcmp(arg, "sequential"))
		usage_error("invalid --order '%s': expected interleaved or sequential", arg);
	o->sequential = !strcmp(arg, "sequential");
}

static void parse_seed(struct run_opts *o, const char *arg)
{
	o->seed = opt_uint("seed", arg, 0, RUN_SEED_MAX);
}

static void parse_server_arg(struct run_opts *o, const char *arg)
{
	if (o->nserver_args == RUN_MAX_SERVER_ARGS)
		usage_error("at most %d --server-arg", RUN_MAX_SERVER_ARGS);
	o->server_args[o->nserver_args++] = arg;
}

static void add_custom(const char **list, int *n, const char *arg)
{
	if (*n == CUSTOM_MAX)
		usage_error("at most %d of each of --server, --server-config and --peer-config",
			    CUSTOM_MAX);
	list[(*n)++] = arg;
}

static void parse_server(struct run_opts *o, const char *arg)
{
	(void)o;
	add_custom(custom_args.servers, &custom_args.nservers, arg);
}

static void parse_server_config(struct run_opts *o, const char *arg)
{
	(void)o;
	add_custom(custom_args.configs, &custom_args.nconfigs, arg);
}

static void parse_peer_config(struct run_opts *o, const char *arg)
{
	(void)o;
	add_custom(custom_args.peers, &custom_args.npeers, arg);
}

static void parse_host_header(struct run_opts *o, const char *arg)
{
	if (!*arg || strpbrk(arg, " \t\r\n"))
		usage_error("invalid --host-header '%s'", arg);
	o->host_header = arg;
}

static void parse_remote(struct run_opts *o, const char *arg,
			 int (*add)(struct remote_set *, const char *, char *, size_t))
{
	char why[200];

	(void)o;
	if (add(&remote_set, arg, why, sizeof(why)))
		usage_error("%s", why);
}

static void parse_client_host(struct run_opts *o, const char *arg)
{
	parse_remote(o, arg, remote_add_host);
}

static void parse_client_exec(struct run_opts *o, const char *arg)
{
	parse_remote(o, arg, remote_add_exec);
}

static void parse_ssh_option(struct run_opts *o, const char *arg)
{
	parse_remote(o, arg, remote_add_ssh_option);
}

static void parse_ssh_timeout(struct run_opts *o, const char *arg)
{
	(void)o;
	remote_set.connect_timeout_s = opt_double("ssh-timeout", arg, 1, 600);
}

static void parse_remote_load(struct run_opts *o, const char *arg)
{
	(void)o;
	if (arg[0] != '/')
		usage_error("--remote-load needs an absolute path");
	remote_set.remote_load = arg;
}

static json_t *cpus_json(const cpu_set_t *set)
{
	char buf[256];

	format_cpu_list(set, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *uints_json(const unsigned long *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

static json_t *strings_json(const char *const *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static bool is_echo(const struct run_opts *o)
{
	return o->workload == &rs_workload_echo;
}

static json_t *rec_workload(const struct run_opts *o)
{
	return json_string(o->workload->name);
}

static json_t *rec_models(const struct run_opts *o)
{
	return strings_json(o->models, o->nmodels);
}

static json_t *rec_connections(const struct run_opts *o)
{
	return uints_json(o->conns, o->nconns);
}

static json_t *rec_payload(const struct run_opts *o)
{
	return is_echo(o) ? json_integer((json_int_t)o->size) : json_null();
}

static json_t *rec_body(const struct run_opts *o)
{
	return is_echo(o) ? json_null() : json_integer((json_int_t)o->size);
}

static json_t *rec_sizes(const struct run_opts *o)
{
	return uints_json(o->sizes, o->nsizes);
}

static json_t *rec_sweep(const struct run_opts *o)
{
	return o->sweep_rate ? json_string("rate") : json_null();
}

static json_t *rec_rates(const struct run_opts *o)
{
	json_t *a;

	if (!o->sweep_rate)
		return json_null();
	if (!o->nrates)
		return json_string("auto");
	a = json_array();
	for (int i = 0; i < o->nrates; i++)
		json_array_append_new(a, json_real(o->rates[i]));
	return a;
}

static json_t *rec_origin(const struct run_opts *o)
{
	return is_echo(o) ? json_null() : json_string(o->origin);
}

static json_t *rec_repeat(const struct run_opts *o)
{
	return o->repeat ? json_integer((json_int_t)o->repeat) : json_string("auto");
}

static json_t *rec_order(const struct run_opts *o)
{
	return json_string(o->sequential ? "sequential" : "interleaved");
}

static json_t *rec_seed(const struct run_opts *o)
{
	return json_integer((json_int_t)o->seed);
}

static json_t *rec_server_args(const struct run_opts *o)
{
	return strings_json(o->server_args, o->nserver_args);
}

static json_t *rec_cpu_layout(const struct run_opts *o)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:b}", "server", cpus_json(&o->server_cpus), "client",
			 cpus_json(&o->client_cpus), "origin", cpus_json(&o->origin_cpus), "sqpoll",
			 o->sq_cpu >= 0 ? json_sprintf("%d", o->sq_cpu) : json_null(), "shared",
			 o->shared_cpu);
}

/* auto: the most rounds a compared cell makes, replacing stolen ones (core/stop.h) */
static json_t *rec_max_rounds(const struct run_opts *o)
{
	return o->repeat ? json_null() : json_integer((json_int_t)stop_max_rounds(o->max_repeat));
}

static json_t *rec_load_threads(const struct run_opts *o)
{
	return json_integer(o->load_threads ? (json_int_t)o->load_threads
					    : (json_int_t)CPU_COUNT(&o->client_cpus));
}

static json_t *rec_clients(const struct run_opts *o)
{
	return remote_config_json(o->remote, o);
}

static json_t *rec_server_addr(const struct run_opts *o)
{
	return json_string(o->server_addr ? o->server_addr : "127.0.0.1");
}

static json_t *rec_ssh(const struct run_opts *o)
{
	const struct remote_set *s = o->remote;

	if (!s)
		return json_null();
	return json_pack("{s:o,s:f,s:o}", "options", strings_json(s->ssh_opts, s->nssh_opts),
			 "connect_timeout_s", s->connect_timeout_s, "remote_load",
			 s->remote_load ? json_string(s->remote_load) : json_null());
}

/* ---- the rows ---- */

#define FIELD(f) offsetof(struct run_opts, f)

const struct run_opt run_opt_rows[] = {
    {.name = "suite",
     .arg = "NAME",
     .help = "{suites} (default\necho); see `ringside list`",
     .key = "suite"},
    {.name = "workload",
     .arg = "NAME",
     .help = "{workloads} (default: the suite's; custom runs: echo)",
     .key = "config.workload",
     .record = rec_workload},
    {.name = "models",
     .arg = "LIST",
     .help = "comma-separated models (below; default: the suite's)",
     .key = "config.models",
     .record = rec_models},
    {.name = "connections",
     .arg = "LIST",
     .help = "comma-separated connection counts, 1..100000",
     .key = "config.connections",
     .record = rec_connections},
    {.name = "payload",
     .arg = "LIST",
     .help = "echo message sizes, bytes: an axis (default 64)",
     .key = "config.payload_bytes",
     .record = rec_payload},
    {.name = "body",
     .arg = "LIST",
     .help = "proxy response body sizes, bytes: an axis (default 4096)",
     .key = "config.body_bytes",
     .record = rec_body},
    {.key = "config.sizes", .record = rec_sizes},
    {.name = "sweep",
     .arg = "rate",
     .help = "open-loop rate sweep per (model, connections, size): the\ncurve of p99 against "
	     "throughput, its knee (docs/curves.md)",
     .key = "config.sweep",
     .record = rec_sweep},
    {.name = "rates",
     .arg = "auto|LIST",
     .help = "the sweep's offered req/s: auto (default) probes capacity\nclosed-loop, then "
	     "rises from 10% by x1.25 until saturation,\nthe SLO or the client ends it; LIST "
	     "runs every rate",
     .key = "config.rates",
     .record = rec_rates},
    {.name = "slo-p99-us",
     .arg = "N",
     .help = "the sweep's p99 SLO, us (curve: 1000, curve-proxy: 5000)",
     .key = "config.slo_p99_us",
     .rec = REC_REAL_POS,
     .rec_off = FIELD(slo_p99_us)},
    {.name = "work-us",
     .arg = "N",
     .help = "simulated work per request in ringside's servers, us",
     .parse = PARSE_UINT,
     .off = FIELD(work_us),
     .min = 0,
     .max = 1000000,
     .key = "config.work_us",
     .rec = REC_UINT,
     .rec_off = FIELD(work_us)},
    {.name = "churn",
     .help = "a new connection per request (echo and proxy)",
     .parse = PARSE_FLAG,
     .off = FIELD(churn),
     .key = "config.churn",
     .rec = REC_BOOL,
     .rec_off = FIELD(churn)},
    {.name = "origin",
     .arg = "NAME",
     .help = "proxy origin: ringside | nginx (default ringside)",
     .key = "config.origin",
     .record = rec_origin},
    {.name = "duration",
     .arg = "S",
     .help = "measured window per run, seconds",
     .key = "config.duration_s",
     .rec = REC_REAL,
     .rec_off = FIELD(duration_s)},
    {.name = "warmup",
     .arg = "S",
     .help = "warmup before the window, seconds (default: the suite's,\nand at least 1 ms per "
	     "connection)",
     .key = "config.warmup_s",
     .rec = REC_REAL,
     .rec_off = FIELD(warmup_s)},
    {.key = "config.warmup_per_connection_s", .rec = REC_REAL, .rec_off = FIELD(warmup_per_conn_s)},
    {.name = "repeat",
     .arg = "N|auto",
     .help = "repetitions per cell, each with a fresh server; auto (the\necho and tinygate "
	     "default): 3 rounds, then more only for\ncells whose requests/s 95% CI is wider "
	     "than --target-ci",
     .key = "config.repeat",
     .record = rec_repeat},
    {.name = "target-ci",
     .arg = "PCT",
     .help = "auto: CI half-width to reach, % of the median (default 5)",
     .parse = PARSE_REAL,
     .off = FIELD(target_ci_pct),
     .min = 0.01,
     .max = 100,
     .key = "config.target_ci_pct",
     .rec = REC_REAL,
     .rec_off = FIELD(target_ci_pct)},
    {.name = "min-effect",
     .arg = "PCT",
     .help = "verdicts: the smallest difference that names a winner,\n% (default 1)",
     .parse = PARSE_REAL,
     .off = FIELD(min_effect_pct),
     .min = 0,
     .max = 100,
     .key = "config.min_effect_pct",
     .rec = REC_REAL,
     .rec_off = FIELD(min_effect_pct)},
    {.name = "equivalence",
     .arg = "PCT",
     .help = "verdicts: two cells whose whole 95% CI of the ratio lies\nwithin +-PCT% are "
	     "equivalent (default 2)",
     .parse = PARSE_REAL,
     .off = FIELD(equivalence_pct),
     .min = 0.01,
     .max = 100,
     .key = "config.equivalence_pct",
     .rec = REC_REAL,
     .rec_off = FIELD(equivalence_pct)},
    {.name = "equal-load",
     .arg = "F",
     .help = "after the closed-loop rounds, run every model open-loop at\nF x the lowest "
	     "closed-loop median of its connection\ncount and compare server CPU per request "
	     "there (0 = off;\nthe echo and tinygate suites' default 0.5, custom runs 0)",
     .key = "config.equal_load_fraction",
     .rec = REC_REAL,
     .rec_off = FIELD(equal_load)},
    {.name = "max-repeat",
     .arg = "N",
     .help = "auto: at most N repetitions (default: the suite's cap, 8\nfor echo and tinygate; "
	     "custom runs 10)",
     .key = "config.max_repeat",
     .rec = REC_UINT,
     .rec_off = FIELD(max_repeat)},
    {.key = "config.max_rounds", .record = rec_max_rounds},
    {.name = "probe-rounds",
     .arg = "N",
     .help = "with probes on, only a cell's first N repetitions add a\nprobed run to the "
	     "unprobed one (0 = every repetition;\ndefault 3 with --repeat auto, 0 with "
	     "--repeat N)",
     .key = "config.probe_rounds",
     .rec = REC_UINT,
     .rec_off = FIELD(probe_rounds)},
    {.name = "order",
     .arg = "ORDER",
     .help = "interleaved (default): each round runs every cell once in\na fresh shuffled "
	     "order; sequential: model-major, a cell's\nrepetitions back to back",
     .parse = PARSE_FN,
     .parse_fn = parse_order,
     .key = "config.order",
     .record = rec_order},
    {.name = "seed",
     .arg = "N",
     .help = "the shuffle's seed (default: from the clock; recorded)",
     .parse = PARSE_FN,
     .parse_fn = parse_seed,
     .key = "config.seed",
     .record = rec_seed},
    {.name = "server-arg",
     .arg = "ARG",
     .help = "append ARG to the ringside server's command line\n(repeatable; not for "
	     "nginx/haproxy), e.g. --jitter-us=500",
     .parse = PARSE_FN,
     .parse_fn = parse_server_arg,
     .key = "config.server_args",
     .record = rec_server_args},
    {.name = "server",
     .arg = "NAME='COMMAND'",
     .help = "bring your own server as model NAME (repeatable; added\nto the models unless "
	     "--models places it): run pinned as\n/bin/sh -c 'exec COMMAND', ready once {port} "
	     "accepts,\nprobed across its forks, stopped with its process group.\nPlaceholders: "
	     "{port} {host} {cpus} {threads} {upstream}\n{upstream_host} {upstream_port} (proxy) "
	     "{tmpdir} (a fresh\ndirectory per run) {config}; {{port}} is a literal {port}",
     .parse = PARSE_FN,
     .parse_fn = parse_server,
     .key = "config.servers",
     .record = run_custom_servers_json},
    {.name = "server-config",
     .arg = "NAME=TEMPLATE",
     .help = "TEMPLATE is a file path (or, holding a newline, the text\nitself); expanded into "
	     "{tmpdir}, and {config} names it",
     .parse = PARSE_FN,
     .parse_fn = parse_server_config,
     .key = "config.servers"},
    {.name = "peer-config",
     .arg = "TOOL=FILE",
     .help = "nginx or haproxy runs the template FILE (same\nplaceholders; {port} its listen "
	     "port, {upstream} the\norigin) instead of ringside's generated config",
     .parse = PARSE_FN,
     .parse_fn = parse_peer_config,
     .key = "config.peer_configs",
     .record = run_custom_peers_json},
    {.name = "host-header",
     .arg = "NAME",
     .help = "the Host header of every request (proxy; default the\ntarget address), e.g. for "
	     "a proxy that routes by host",
     .parse = PARSE_FN,
     .parse_fn = parse_host_header,
     .key = "config.host_header",
     .rec = REC_STR,
     .rec_off = FIELD(host_header)},
    {.name = "server-cpus",
     .arg = "LIST",
     .help = "CPUs for the server (default 0)",
     .key = "config.cpu_layout.server"},
    {.name = "client-cpus",
     .arg = "LIST",
     .help = "CPUs for the load generator (default: the others)",
     .key = "config.cpu_layout.client"},
    {.name = "sqpoll-cpu",
     .arg = "N",
     .help = "CPU for the SQPOLL thread (default: the server's first CPU)",
     .key = "config.cpu_layout.sqpoll"},
    {.key = "config.cpu_layout", .record = rec_cpu_layout},
    {.name = "load-threads",
     .arg = "N",
     .help = "load generator threads (default: one per client CPU)",
     .parse = PARSE_UINT,
     .off = FIELD(load_threads),
     .min = 1,
     .max = 1024,
     .key = "config.load_threads",
     .record = rec_load_threads},
    {.name = "depth",
     .arg = "D",
     .help = "requests in flight per connection (default 1)",
     .parse = PARSE_UINT,
     .off = FIELD(depth),
     .min = 1,
     .max = 1024,
     .key = "config.depth",
     .rec = REC_UINT,
     .rec_off = FIELD(depth)},
    {.name = "rate",
     .arg = "R",
     .help = "open loop at R requests/s in all (default: closed loop)",
     .parse = PARSE_REAL,
     .off = FIELD(rate),
     .min = 1,
     .max = 1e9,
     .key = "config.rate",
     .rec = REC_REAL_POS,
     .rec_off = FIELD(rate)},
    {.name = "timeout",
     .arg = "S",
     .help = "how long a server may take to become ready, and the load\ngenerator past warmup + "
	     "duration, before the run fails as\nhung, seconds (default 10)",
     .parse = PARSE_REAL,
     .off = FIELD(timeout_s),
     .min = 0.5,
     .max = 600,
     .key = "config.timeout_s",
     .rec = REC_REAL,
     .rec_off = FIELD(timeout_s)},
    {.name = "probes",
     .arg = "MODE",
     .help = "auto | on | off: BPF syscall probes (default auto)",
     .parse = PARSE_FN,
     .parse_fn = parse_probes,
     .key = "config.probes",
     .rec = REC_STR,
     .rec_off = FIELD(probes)},
    {.name = "out",
     .arg = "DIR",
     .help = "result directory (default results/<UTC time>-<suite>)",
     .parse = PARSE_FN,
     .parse_fn = parse_out},
    {.name = "quiet",
     .help = "no progress or per-cell lines, only the table",
     .parse = PARSE_FLAG,
     .off = FIELD(quiet)},
    {.name = "dry-run",
     .help = "print the effective config and the plan (cells, runs)\nas JSON on stdout and "
	     "run nothing",
     .parse = PARSE_FLAG,
     .off = FIELD(dry_run)},
    {.name = "client-host",
     .arg = "[USER@]HOST[:SSHPORT]",
     .help = "run a load generator on HOST over ssh (repeatable: the\nconnections and --rate "
	     "are divided between the hosts)",
     .parse = PARSE_FN,
     .parse_fn = parse_client_host,
     .key = "config.clients",
     .record = rec_clients},
    {.name = "client-exec",
     .arg = "'PREFIX'",
     .help = "run a load generator under PREFIX, e.g. 'ip netns exec\nns1' (repeatable; split "
	     "at spaces, no shell quoting)",
     .parse = PARSE_FN,
     .parse_fn = parse_client_exec,
     .key = "config.clients"},
    {.name = "server-addr",
     .arg = "ADDR",
     .help = "the server binds ADDR and the load generators dial it\n(default 127.0.0.1; "
	     "required with --client-host/-exec)",
     .parse = PARSE_STR,
     .off = FIELD(server_addr),
     .key = "config.server_addr",
     .record = rec_server_addr},
    {.name = "ssh-option",
     .arg = "K=V",
     .help = "passed to every ssh as -o K=V (repeatable); also\nRINGSIDE_SSH_OPTS='-i KEY -F "
	     "FILE' (split at spaces)",
     .parse = PARSE_FN,
     .parse_fn = parse_ssh_option,
     .key = "config.ssh.options"},
    {.name = "ssh-timeout",
     .arg = "S",
     .help = "ssh ConnectTimeout; each ssh step gets S+10 s (default 5)",
     .parse = PARSE_FN,
     .parse_fn = parse_ssh_timeout,
     .key = "config.ssh.connect_timeout_s"},
    {.name = "remote-load",
     .arg = "PATH",
     .help = "ringside-load already installed on the hosts (default:\ncopy this one into a "
	     "temporary directory over ssh)",
     .parse = PARSE_FN,
     .parse_fn = parse_remote_load,
     .key = "config.ssh.remote_load"},
    {.key = "config.ssh", .record = rec_ssh},
    {.name = "help", .short_name = 'h', .help = "this text"},
};

const int run_opt_nrows = (int)(sizeof(run_opt_rows) / sizeof(run_opt_rows[0]));
_Static_assert(sizeof(run_opt_rows) / sizeof(run_opt_rows[0]) <= RUN_OPTS_MAX,
	       "more option rows than RUN_OPTS_MAX");

void run_parse_opts(struct run_opts *o, int argc, char **argv)
{
	const char *suite, *models, *conns, *workload, *payload, *body, *origin, *duration, *warmup,
	    *repeat, *max_repeat, *slo, *equal, *probe_rounds;
	const struct run_suite *base;
	const char *kept[RUN_OPTS_MAX];

	*o = (struct run_opts){
	    .workload = &rs_workload_echo,
	    .depth = 1,
	    .probes = "auto",
	    .timeout_s = 10,
	    .target_ci_pct = 5,
	    .min_effect_pct = EST_MIN_EFFECT * 100,
	    .equivalence_pct = EST_EQUIVALENCE * 100,
	    .seed = ((uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid()) & RUN_SEED_MAX,
	    .argv = argv,
	    .argc = argc,
	};
	memset(&custom_args, 0, sizeof(custom_args));
	options_getopt(o, argc, argv, kept);
	suite = options_given(kept, "suite");
	models = options_given(kept, "models");
	conns = options_given(kept, "connections");
	workload = options_given(kept, "workload");
	payload = options_given(kept, "payload");
	body = options_given(kept, "body");
	origin = options_given(kept, "origin");
	duration = options_given(kept, "duration");
	warmup = options_given(kept, "warmup");
	repeat = options_given(kept, "repeat");
	max_repeat = options_given(kept, "max-repeat");
	slo = options_given(kept, "slo-p99-us");
	equal = options_given(kept, "equal-load");
	probe_rounds = options_given(kept, "probe-rounds");

	if (suite && !run_find_suite(suite)) {
		char names[128];

		options_join_names(names, sizeof(names), true, ", ");
		usage_error("unknown suite '%s' (suites: %s)", suite, names);
	}
	if (workload && !run_find_workload(workload)) {
		char names[64];

		options_join_names(names, sizeof(names), false, ", ");
		usage_error("unknown workload '%s' (workloads: %s)", workload, names);
	}
	o->suite = suite						   ? suite
		   : (models || conns || workload || custom_args.nservers) ? "custom"
									   : "echo";
	base = run_find_suite(suite ? suite : "echo");
	if (!suite && workload && !strcmp(workload, "proxy"))
		base = run_find_suite("tinygate");
	if (workload && strcmp(workload, base->workload->name))
		usage_error("suite '%s' is the %s workload, not %s", base->name,
			    base->workload->name, workload);
	options_apply_suite(o, base);
	run_custom_parse(o, &custom_args);
	if (models)
		options_models(o, models);
	run_custom_models(o);
	if (conns)
		options_conns(o, conns);
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
	/*
	 * A suite keeps its cap (sized to its time budget), the default echo suite
	 * without --suite too (./scripts/bench); custom runs get 10.
	 */
	o->max_repeat = strcmp(o->suite, "custom") && base->max_repeat >= RUN_MIN_ROUNDS
			    ? base->max_repeat
			    : 10;
	if (max_repeat)
		o->max_repeat = opt_uint("max-repeat", max_repeat, 1, 1000);
	if (max_repeat && o->repeat)
		usage_error("--max-repeat is for --repeat auto");
	/*
	 * The probed figures are exact counts that three runs pin down; under auto
	 * the later rounds' time goes to the unprobed runs the verdicts compare.
	 */
	o->probe_rounds = o->repeat ? 0 : RUN_MIN_ROUNDS;
	if (probe_rounds)
		o->probe_rounds = opt_uint("probe-rounds", probe_rounds, 0, 1000);
	options_cpus(o, options_given(kept, "server-cpus"), options_given(kept, "client-cpus"),
		     options_given(kept, "sqpoll-cpu"));
	if (o->rate > 0 && o->depth > 1)
		usage_error("--rate and --depth cannot be combined");
	if (payload || body)
		options_sizes(o, payload ? payload : body);
	options_sweep(o, options_given(kept, "sweep") ? options_given(kept, "sweep") : base->sweep,
		      options_given(kept, "rates"), slo);
	if (!slo)
		o->slo_p99_us = base->slo_p99_us;
	/* Equal load: the suite's default unless open loop was asked for or the run is custom. */
	o->equal_load = strcmp(o->suite, "custom") && o->rate <= 0 ? base->equal_load : 0;
	if (equal)
		o->equal_load = opt_double("equal-load", equal, 0, 1);
	if (equal && o->equal_load > 0 && (o->rate > 0 || o->sweep_rate))
		usage_error(
		    "--equal-load runs after closed-loop rounds: not with --rate or --sweep");
	options_knobs(o);
	options_remote(o, &remote_set);
}
