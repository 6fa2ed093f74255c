/*
 * The workloads `ringside run` knows and their models: which binaries a cell
 * spawns and how the load generator talks to them (models.c).
 */
#ifndef RS_MODELS_H
#define RS_MODELS_H

#define RS_MAX_MODELS 8
#define RS_MAX_CONNS  16

/* A workload: which binaries a cell spawns and how the load generator talks to them. */
struct rs_workload {
	const char *name;	/* "echo" | "proxy" */
	const char *server_bin; /* next to the ringside binary */
	const char *origin_bin; /* NULL when the workload has no origin */
	const char *load_mode;	/* ringside-load --mode */
	const char *size_opt;	/* ringside-load option for the message size */
	const char *size_key;	/* results key: payload_bytes | body_bytes */
	const char *const *models;
	const char *const *model_help; /* one line per model, same order */
};

extern const struct rs_workload rs_workload_echo, rs_workload_proxy;

#endif
