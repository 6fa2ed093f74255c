/*
 * `ringside calibrate` in two halves: calibrate.c holds the options, the rounds, the
 * medians and ratios, the document and the text lines; calibrate_run.c the children
 * (ringside-origin, and one run of ringside-load or wrk, timed and accounted).
 * The open-loop arms run ringside-load --rate at a share of its own closed-loop rate
 * (measured once before the rounds) against the same origin, so that the open/closed
 * client CPU ratio compares the two loops at equal connections and server.
 * What it measures and the JSON it writes: docs/calibrate.md.
 */
#ifndef RS_CALIBRATE_H
#define RS_CALIBRATE_H

#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>

#include "core/bound.h"
#include "run/options.h"
#include "run/servers/peers.h"
#include "sys/proc.h"

#define CAL_MAX_ROUNDS 100
#define CAL_BODY       4096 /* bytes of every response, from either origin */
#define CAL_STOP_MS    3000 /* SIGTERM, this long, then SIGKILL */
/* A server this busy (median srv-cpu) set the rate: ratios against it are capped. */
#define CAL_SERVER_BOUND BOUND_UTIL
#define CAL_OPEN_MAX	 4 /* open-loop shares of the closed-loop rate (--open-loop) */

enum cal_client { CAL_LOAD, CAL_WRK };
enum cal_server { CAL_ORIGIN, CAL_NGINX };
extern const char *const cal_server_names[]; /* by enum cal_server */

/* One pairing of a client and a server, measured once per round. */
struct cal_arm {
	char label[32];	    /* the client: "ringside-load(uring)", "wrk" */
	char key[64];	    /* "LABEL@SERVER" in the JSON */
	const char *engine; /* ringside-load --engine value; NULL: none */
	enum cal_client client;
	enum cal_server server;
	bool on;
	char why[240]; /* why it is off */
	double rps[CAL_MAX_ROUNDS], ccpu[CAL_MAX_ROUNDS], scpu[CAL_MAX_ROUNDS];
	double ckern[CAL_MAX_ROUNDS], sutil[CAL_MAX_ROUNDS];
	double lag[CAL_MAX_ROUNDS]; /* open loop: schedule lag p99, µs */
	int n;			    /* good runs */
	/* Open loop: pct of the closed-loop rate of arm `closed`, run at `rate` req/s. */
	double pct, rate, skipped;
	int closed;
};
/* ARM_OPEN..: CAL_OPEN_MAX open-loop arms of the uring engine, then as many of epoll. */
enum {
	ARM_UURING,
	ARM_UEPOLL,
	ARM_WRK,
	ARM_NGINX,
	ARM_OPEN,
	CAL_ARMS = ARM_OPEN + 2 * CAL_OPEN_MAX
};

struct cal_opts {
	double duration_s, warmup_s;
	unsigned long conns, rounds;
	double open_pct[CAL_OPEN_MAX]; /* --open-loop, % of the closed-loop rate */
	int nopen;
	cpu_set_t server_cpus, client_cpus;
	const char *out;
	bool json;
};

struct cal {
	struct cal_opts o;
	struct cal_arm arm[CAL_ARMS];
	int driver; /* the arm whose client drives nginx */
	char load[PATH_MAX], wrk[PATH_MAX], lua[PATH_MAX];
	struct peer_env peer; /* nginx as an origin: tmpdir, body size, CPUs, timeout */
	struct proc_child origin, nginx;
	unsigned origin_port, nginx_port;
	pid_t workers[64];
	int nworkers;
	unsigned threads;
	json_t *rounds;
	int marked;
	double closed_rate[2]; /* req/s of the uring and epoll closed loops, for the open arms */
};

/*
 * What one run of a client gave; ok only with requests, no errors and a clean exit.
 * ckernel: the client's system time over its CPU time (where a request's CPU
 * goes); sutil: the server's CPU over wall time x server threads (near 1: the
 * server, not the client, set the rate, and a ratio against it is capped there).
 */
struct cal_run {
	double rps, requests, wall_s, ccpu_us, scpu_us, util, ckernel, sutil, errors;
	double lag_p99, skipped; /* open loop: the load generator's, µs and sends */
	bool ok;
	char note[240];
};

/* True when this ringside-load takes --engine (a build may not have it yet). */
bool cal_load_has_engines(const char *load);
/* Writes wrk's summary script into dir as k->lua; -1 after logging. */
int cal_write_lua(struct cal *k, const char *dir);
/* ringside-origin on the server CPUs, until it reports its port; -1 after logging. */
int cal_start_origin(struct cal *k);
/* One run of arm a for secs into r (r->ok false with r->note on failure); -1 if interrupted. */
int cal_run_client(struct cal *k, const struct cal_arm *a, double secs, struct cal_run *r);

#endif
