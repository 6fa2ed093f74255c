/*
 * The workloads `ringside run` knows: which binaries a cell spawns and how the
 * load generator talks to them (workloads.c). Their models are the entries of
 * lib/models.h that carry the workload's flag, plus the run's --server models
 * (MODEL_CUSTOM), which only the harness sees: every lookup in harness/run/
 * goes through workloads_model_find, never models_find.
 */
#ifndef RS_WORKLOADS_H
#define RS_WORKLOADS_H

#define RS_MAX_MODELS 16
#define RS_MAX_CONNS  16

/* A workload: which binaries a cell spawns and how the load generator talks to them. */
struct rs_workload {
	const char *name;	/* "echo" | "proxy" */
	const char *help;	/* one line, for `ringside list` */
	const char *server_bin; /* next to the ringside binary */
	const char *origin_bin; /* NULL when the workload has no origin */
	const char *load_mode;	/* ringside-load --mode */
	const char *size_opt;	/* ringside-load option for the message size */
	const char *size_key;	/* results key: payload_bytes | body_bytes */
	unsigned model_flag;	/* MODEL_ECHO | MODEL_PROXY: the models it has */
};

extern const struct rs_workload rs_workload_echo, rs_workload_proxy;

struct model_info;
/* Adds a run-time model entry (name and help are copied); -1 when the list is full. */
int workloads_model_add(const char *name, const char *help, unsigned flags);
/* The entry called name: lib/models.h's table first, then the run-time ones; NULL if none. */
const struct model_info *workloads_model_find(const char *name);
/* The entry called name if it has every flag in all; NULL otherwise. */
const struct model_info *workloads_model_find_with(const char *name, unsigned all);

#endif
