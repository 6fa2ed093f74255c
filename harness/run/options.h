/*
 * The effective options of `ringside run`: run.c parses them, everything in
 * run/ reads them, and results.c writes them into config.
 */
#ifndef RS_OPTIONS_H
#define RS_OPTIONS_H

#include <sched.h>
#include <signal.h>
#include <stdbool.h>

#include "models.h"

struct remote_set;

/* The effective options of `ringside run` (run.c fills them, everything reads them). */
struct run_opts {
	const char *suite;
	const struct rs_workload *workload;
	const char *models[RS_MAX_MODELS];
	int nmodels;
	unsigned long conns[RS_MAX_CONNS];
	int nconns;
	unsigned long size; /* payload (echo) or body (proxy) bytes */
	const char *origin; /* proxy: "ringside" | "nginx" */
	char tmpdir[64];    /* the run's temporary directory (peer configs), "" if none */
	double duration_s, warmup_s;
	unsigned long repeat;
	cpu_set_t server_cpus, client_cpus, origin_cpus;
	int sq_cpu;		    /* CPU for the SQPOLL thread; -1 = leave it unpinned */
	unsigned long load_threads; /* 0 = one per client CPU */
	unsigned long depth;
	double rate; /* 0 = closed loop */
	double timeout_s;
	const char *probes; /* "auto" | "on" | "off" */
	const char *out;
	bool quiet;
	bool shared_cpu; /* one CPU: server and client share it */
	/* --client-host/--client-exec (remote.h); NULL: the load generator runs here. */
	struct remote_set *remote;
	const char *server_addr; /* --server-addr; NULL = 127.0.0.1 */
	char *const *argv;
	int argc;
};

/* Set from the SIGINT/SIGTERM handler: the signal number, 0 while running. */
extern volatile sig_atomic_t run_interrupted;

#endif
