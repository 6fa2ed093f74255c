/*
 * Private to cell*.c and servers/: what one run (one repetition, probed or
 * not) gathers before it becomes the run object of docs/results.md.
 */
#ifndef RS_CELL_RUN_H
#define RS_CELL_RUN_H

#include "cell.h"
#include "run/servers/peers.h"
#include "sys/proc.h"

#define RS_MAX_WORKERS 64

struct server_kind;

enum run_rc { RUN_OK, RUN_FAILED, RUN_SKIPPED, RUN_INTERRUPTED };

/* Everything one run gathers before it becomes JSON. */
struct run_state {
	const struct cell_plan *plan;
	const struct run_opts *o;
	const struct cell_spec *c;
	const struct server_kind *kind; /* servers/server.h: how this cell's server runs */
	int rep;
	bool probed, probe_attached;
	char reason[320];
	struct proc_child server, load, origin; /* origin: proxy cells only */
	unsigned port, origin_port;
	pid_t workers[RS_MAX_WORKERS]; /* server processes forked before ready (nginx) */
	int nworkers;
	bool started, stopped;
	struct proc_snap snap0, snap1;
	struct proc_cpustat cpu0, cpu1; /* /proc/stat at the same two moments */
	uint64_t snap_ns0, snap_ns1;	/* when they were taken */
	double loadavg_1m;		/* /proc/loadavg at "stop", < 0 if unreadable */
	/* Ours on the client side (load generator, origin and its forks, ringside), ticks. */
	uint64_t side_ticks0, side_ticks1;
	bool side_ok0, side_ok1;
	struct peer_conf peer;	     /* the server's config when it is a peer */
	char *custom_command;	     /* a --server model: its expanded command */
	char *custom_config;	     /* its expanded --server-config, NULL if none */
	char custom_config_file[96]; /* that config's copy, "peers/NAME-cN.conf", or "" */
	long rss_ready, rss_peak;
	json_t *load_json;
	json_t *clients; /* remote runs: each host's figures (remote_run_merge) */
};

/* Sets st->reason (printf-style): the one way a run says why it failed (cell_run.c). */
void cell_fail(struct run_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The run object of docs/results.md, from what st gathered (cell_json.c). */
json_t *cell_run_json(struct run_state *st, enum run_rc rc);

/*
 * cell_spawn.c: the origin (proxy cells only), pinned and ready (its port in st),
 * and the load generator with *phase_fd the read end of its window announcements
 * (-1 on failure, with st->reason set by cell_fail). The server is its kind's
 * (st->kind->spawn, servers/server.h).
 */
enum run_rc cell_spawn_origin(struct run_state *st);
int cell_spawn_load(struct run_state *st, int *phase_fd);
/*
 * Noise, saturation and core-based CPU of a run (cell_noise.c): sets run.noise,
 * run.server_cpu_utilisation, run.bound and
 * server.cpu_us_per_request_core. u is NULL when the window was not measured.
 */
void cell_noise_fill(const struct run_state *st, const struct proc_usage *u, double req,
		     json_t *run, json_t *server);
/* The /proc/stat and /proc/loadavg readings beside a /proc snapshot (cell_noise.c). */
void cell_noise_sample(struct run_state *st, bool start);

#endif
