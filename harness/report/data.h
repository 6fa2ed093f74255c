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

#include "core/doc.h"

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
 * One (workload, message size, offered rate) slice of a run: the unit a chart
 * shows. Closed-loop cells (rate null) and fixed --rate cells never share a
 * group, so no chart, table or verdict compares the two. Sweep points (cells
 * with a sweep_step) are in no group: curves.c shows them, by curve.
 * Models keep config.models order, then any others in cell order.
 */
struct rpt_group {
	const char *workload;
	long long size; /* payload_bytes (echo) or body_bytes (proxy); -1 unknown */
	double rate;	/* the cells' offered rate (--rate); -1: closed loop; RPT_RATE_EQUAL */
	char name[64];	/* file-name stem: "echo", "echo-64B" when sizes differ, "-r5000" */
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
/* rate: the cell's offered rate (rpt_cell_rate), -1 for closed loop. */
json_t *rpt_find_cell(const struct rpt_doc *doc, const char *workload, long long size, double rate,
		      const char *model, long long conns);
/*
 * The equal-load cells (cell.equal_load) make one group per workload and size,
 * whatever their rates (one per connection count): its rate is this.
 */
#define RPT_RATE_EQUAL (-2.0)
/* The offered rate of g's cells at conns: g->rate, or for RPT_RATE_EQUAL the cells' own. */
double rpt_group_rate(const struct rpt_doc *doc, const struct rpt_group *g, long long conns);
/*
 * A cell's offered rate, -1 in closed loop, RPT_RATE_EQUAL for an equal-load
 * cell; whether it is a point of a rate sweep.
 */
double rpt_cell_rate(const json_t *cell);
bool rpt_cell_swept(const json_t *cell);
/* The cell belongs to g: same workload, size and rate, and not a sweep point. */
bool rpt_in_group(const struct rpt_group *g, const json_t *cell);
/* A new document {"cells": [g's cells]} for verdict_best, which reads every cell. */
json_t *rpt_group_view(const struct rpt_doc *doc, const struct rpt_group *g);
/*
 * A model's label, rank, colour and style come from the model table
 * (lib/models.h); `--server` models, which the table does not hold, are shown
 * by their name, after the table's, in colours of their own (RPT_CUSTOM_COLOURS,
 * given in order of appearance in doc, config.models first).
 */
#define RPT_CUSTOM_COLOURS 4
/* Display label of a model name ("uring" -> "io_uring"). */
const char *rpt_model_label(const char *model);
/* The table's order (blocking, epoll, io_uring, ..., nginx, haproxy), then others (100). */
int rpt_model_rank(const char *model);
/* "#rrggbb": the table's colour, or one of the `--server` colours. */
const char *rpt_model_colour(const struct rpt_doc *doc, const char *model);
/*
 * The model's style number for --mono charts (grey, dash and point type):
 * 1 + its table rank, then one past the table per `--server` colour; at most
 * the table's size + RPT_CUSTOM_COLOURS.
 */
int rpt_model_style(const struct rpt_doc *doc, const char *model);
/* "1 connection" / "100 connections" */
void rpt_conns_label(long long conns, char *buf, size_t len);
/* "echo suite, kernel 6.18.0, AMD EPYC 7B13 (2 CPUs)" */
void rpt_host_line(const struct rpt_doc *doc, char *buf, size_t len);
/* Shortest %g that reads back to the same double. */
void rpt_fmt_num(double v, char *buf, size_t len);

#endif
