/*
 * Shared reading side of plot/export/report/compare: loads and validates a
 * results.json (schema ringside/1, docs/results.md), walks its cells, fetches
 * figures by dotted path, and writes outputs atomically (temp name + rename).
 */
#ifndef RS_REPORT_DATA_H
#define RS_REPORT_DATA_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#define RPT_MAX_MODELS 16
#define RPT_MAX_CONNS  32
#define RPT_MAX_GROUPS 8

struct rpt_doc {
	char path[PATH_MAX]; /* the results.json */
	char dir[PATH_MAX];  /* the directory holding it */
	json_t *root;
	json_t *cells; /* borrowed from root */
};

/*
 * One (workload, message size) slice of a run: the unit a chart shows.
 * Models keep config.models order, then any others in cell order.
 */
struct rpt_group {
	const char *workload;
	long long size; /* payload_bytes (echo) or body_bytes (proxy); -1 unknown */
	char name[64];	/* file-name stem: "echo", or "echo-64B" when sizes differ */
	const char *models[RPT_MAX_MODELS];
	int nmodels;
	long long conns[RPT_MAX_CONNS]; /* ascending */
	int nconns;
};

/* DIR or DIR/results.json; on failure one line on stderr and RS_EXIT_USAGE. */
int rpt_doc_load(const char *arg, struct rpt_doc *doc);
void rpt_doc_free(struct rpt_doc *doc);
/* Fills up to cap groups; returns how many. */
int rpt_groups(const struct rpt_doc *doc, struct rpt_group *g, int cap);
json_t *rpt_find_cell(const struct rpt_doc *doc, const char *workload, long long size,
		      const char *model, long long conns);
long long rpt_cell_size(json_t *cell);
const char *rpt_cell_status(json_t *cell);
bool rpt_cell_ok(json_t *cell);
/* "" when absent */
const char *rpt_str(json_t *obj, const char *path);

/* Appends printf-style text to the string in buf; stops quietly when buf is full. */
void rpt_cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Value at a dotted path ("latency_us.p99"); NULL when absent. */
json_t *rpt_get(const json_t *obj, const char *path);
/* A finite number at path; false when absent, null or not a number. */
bool rpt_num(json_t *obj, const char *path, double *out);
/* Summary figure and its min-max over runs (sibling min/max, else summary.spread). */
bool rpt_fig(json_t *cell, const char *path, double *val);
bool rpt_range(json_t *cell, const char *path, double *lo, double *hi);

/* Display label of a model name ("uring" -> "io_uring"); stable colour index 1..8. */
const char *rpt_model_label(const char *model);
int rpt_model_colour(const char *model);
/* "1 connection" / "100 connections" */
void rpt_conns_label(long long conns, char *buf, size_t len);
/* "echo suite, kernel 6.18.0, AMD EPYC 7B13 (2 CPUs)" */
void rpt_host_line(const struct rpt_doc *doc, char *buf, size_t len);
/* Shortest %g that reads back to the same double. */
void rpt_fmt_num(double v, char *buf, size_t len);

/* Output written to PATH.tmp.PID and renamed into place on commit. */
struct rpt_out {
	FILE *f;
	char path[PATH_MAX];
	char tmp[PATH_MAX + 32];
};
FILE *rpt_out_open(struct rpt_out *o, const char *path);
int rpt_out_commit(struct rpt_out *o); /* 0, or -1 after logging */
void rpt_out_abort(struct rpt_out *o);
int rpt_mkdir_p(const char *path); /* 0 or -1 after logging */
/* The ringside executable's directory (for finding scripts/). */
int rpt_self_dir(char *buf, size_t len);

#endif
