/*
 * The effective options of `ringside run`: options.c declares each once (a row:
 * getopt, --help, config) and parses them, holds the suites, and makes the config
 * that results.c puts in the document; everything in run/ reads them.
 */
#ifndef RS_OPTIONS_H
#define RS_OPTIONS_H

#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "custom.h"
#include "workloads.h"

#define RUN_MIN_ROUNDS	      3
#define RUN_MAX_SERVER_ARGS   8
#define RUN_WARMUP_PER_CONN_S 0.001
#define RUN_MAX_SIZES	      8	 /* --payload/--body LIST */
#define RUN_MAX_RATES	      32 /* --rates LIST */
/* Seeds stay below 2^53 so that every JSON reader holds them exactly. */
#define RUN_SEED_MAX ((1ull << 53) - 1)

struct remote_set;
struct json_t;

/* The effective options of `ringside run` (options.c fills them, everything reads them). */
struct run_opts {
	const char *suite;
	const struct rs_workload *workload;
	const char *models[RS_MAX_MODELS];
	int nmodels;
	unsigned long conns[RS_MAX_CONNS];
	int nconns;
	unsigned long size;		    /* payload (echo) or body (proxy) bytes: this cell's */
	unsigned long sizes[RUN_MAX_SIZES]; /* --payload/--body LIST: an axis of cells */
	int nsizes;
	/* --sweep rate (sweep.h): nrates 0 = --rates auto; slo_p99_us 0 = no SLO. */
	bool sweep_rate;
	double rates[RUN_MAX_RATES];
	int nrates;
	double slo_p99_us;
	unsigned long work_us;	 /* --work-us: the ringside servers' work per request */
	bool churn;		 /* --churn: a new connection per request */
	const char *host_header; /* --host-header: proxy requests' Host, NULL = default */
	const char *origin;	 /* proxy: "ringside" | "nginx" */
	char tmpdir[64];	 /* the run's temporary directory (peer configs), "" if none */
	double duration_s, warmup_s;
	/*
	 * Without --warmup, a cell warms up at least this long per connection:
	 * 1000 blocking connections take most of a second to connect on 2 cores.
	 */
	double warmup_per_conn_s;
	/*
	 * Repetitions: a fixed count, or 0 for auto: RUN_MIN_ROUNDS rounds, then
	 * more only for the cells whose requests/s CI half-width is over
	 * target_ci_pct, up to max_repeat.
	 */
	unsigned long repeat;
	double target_ci_pct;
	unsigned long max_repeat;
	/* --probe-rounds: a cell's repetitions that add a probed run; 0 = every one */
	unsigned long probe_rounds;
	/* The verdicts' smallest winning difference and equivalence margin, % (core/estimate.h). */
	double min_effect_pct, equivalence_pct;
	/* --equal-load: the open-loop rate after the closed loop, x the lowest median; 0 = off */
	double equal_load;
	uint64_t seed;	 /* of the round order's shuffle */
	bool sequential; /* --order sequential: model-major, repetitions back to back */
	const char *server_args[RUN_MAX_SERVER_ARGS]; /* --server-arg: appended to ours */
	int nserver_args;
	cpu_set_t server_cpus, client_cpus, origin_cpus;
	int sq_cpu;		    /* CPU for the SQPOLL thread; -1 = leave it unpinned */
	unsigned long load_threads; /* 0 = one per client CPU */
	unsigned long depth;
	double rate; /* 0 = closed loop */
	double timeout_s;
	const char *probes; /* "auto" | "on" | "off" */
	const char *out;
	bool quiet;
	bool dry_run;	 /* --dry-run: print config and the plan, measure nothing */
	bool shared_cpu; /* one CPU: server and client share it */
	/* --client-host/--client-exec (remote.h); NULL: the load generator runs here. */
	struct remote_set *remote;
	const char *server_addr; /* --server-addr; NULL = 127.0.0.1 */
	/* --server NAME=COMMAND (models with MODEL_CUSTOM) and their --server-config */
	struct custom_server servers[CUSTOM_MAX];
	int nservers;
	struct custom_peer peer_tmpls[CUSTOM_MAX]; /* --peer-config TOOL=FILE */
	int npeer_tmpls;
	char *const *argv;
	int argc;

	const char *result_dir; /* where results.json goes (peers/ copies), NULL if none */
};

/* A suite: a workload's default models (those without MODEL_OPT_IN) and settings. */
struct run_suite {
	const char *name;
	const char *help;
	const struct rs_workload *workload;
	const char *conns;
	unsigned long size;
	double duration_s, warmup_s;
	unsigned long repeat;	  /* 0 = auto */
	unsigned long max_repeat; /* the cap of --repeat auto */
	const char *sweep;	  /* "rate": a rate sweep with --rates auto */
	double slo_p99_us;	  /* the sweep's SLO, 0 = none */
	double equal_load;	  /* --equal-load's default, 0 = none */
};

/* The suites, ending with a {NULL} entry (suites.c, with the workload and model lists). */
extern const struct run_suite run_suites[];
const struct run_suite *run_find_suite(const char *name);
/* The workload called name, NULL if none. */
const struct rs_workload *run_find_workload(const char *name);
/* The suite's models, comma-separated, into buf. */
void run_suite_models(const struct run_suite *s, char *buf, size_t len);

/* The workloads, NULL-terminated; their models, from lib/models.h, listed on f. */
extern const struct rs_workload *const run_workloads[];
void run_print_models(FILE *f);

/* The raw --server, --server-config and --peer-config values, in order. */
struct run_custom_args {
	const char *servers[CUSTOM_MAX], *configs[CUSTOM_MAX], *peers[CUSTOM_MAX];
	int nservers, nconfigs, npeers;
};
/*
 * options_custom.c, for run_parse_opts once the workload is known: checks them
 * (exit 2 with one line) and adds each --server as a MODEL_CUSTOM model.
 */
void run_custom_parse(struct run_opts *o, const struct run_custom_args *a);
/* Appends the --server models that o->models does not list yet. */
void run_custom_models(struct run_opts *o);
/* config.servers and config.peer_configs (docs/results.md), for their option rows. */
struct json_t *run_custom_servers_json(const struct run_opts *o);
struct json_t *run_custom_peers_json(const struct run_opts *o);
/* The --server called name, NULL if none. */
const struct custom_server *run_custom_server(const struct run_opts *o, const char *name);
/* Frees the template texts run_custom_parse read (at the end of cmd_run). */
void run_custom_free(struct run_opts *o);
/* The --peer-config template for tool, NULL if none. */
const struct custom_peer *run_peer_template(const struct run_opts *o, const char *tool);

/* Fills *o from its defaults, the suite and argv; exits 2 with one line on any problem. */
void run_parse_opts(struct run_opts *o, int argc, char **argv);
/* The document's config (docs/results.md): every option row's record of *o. */
struct json_t *run_config_json(const struct run_opts *o);
/* { "OPTION": "where the document records it" (e.g. "config.connections") | null }. */
struct json_t *run_option_keys(void);

/* Set from the SIGINT/SIGTERM handler: the signal number, 0 while running. */
extern volatile sig_atomic_t run_interrupted;
/*
 * SIGINT, SIGTERM and SIGHUP set run_interrupted (no SA_RESTART, so polls return
 * and the caller stops its children); SIGPIPE is ignored. run.c; calibrate uses it too.
 */
void run_install_signals(void);

#endif
