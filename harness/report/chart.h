/*
 * The chart set behind `ringside plot` and `ringside export --data`: for each
 * (workload, size) group, which charts exist, the plain data file each one
 * reads, and the gnuplot variables (-e) its script in scripts/ expects; then
 * the rate-sweep and size-axis charts of curves.c.
 */
#ifndef RS_REPORT_CHART_H
#define RS_REPORT_CHART_H

#include "data.h"

enum rpt_chart_kind {
	RPT_CH_THROUGHPUT,
	RPT_CH_SYSCALLS,
	RPT_CH_CTXSW,
	RPT_CH_LATENCY,
	RPT_CH_CPU,
	RPT_CH_TINYGATE,
	RPT_CH_TINYGATE_P99,
	RPT_CH_OVERHEAD,
	RPT_CH_CPU_TIME, /* where the CPU of a request goes (docs/results.md) */
	RPT_CH_RQ_P99,
	RPT_CH_IOWQ,
	RPT_CH_KINDS, /* the kinds above are drawn for every group; those below by curves.c */
	RPT_CH_CURVE_P99 = RPT_CH_KINDS,
	RPT_CH_CURVE_P50,
	RPT_CH_CURVE_CPU,
	RPT_CH_BY_SIZE,
};

#define RPT_MAX_CURVE_SETS  8 /* (workload, connections, size) sets of curves */
#define RPT_MAX_SIZE_CHARTS 8 /* throughput-by-size charts */
#define RPT_MAX_CHARTS                                                                             \
	(RPT_MAX_GROUPS * RPT_CH_KINDS + RPT_MAX_CURVE_SETS * 3 + RPT_MAX_SIZE_CHARTS)

struct rpt_chart {
	enum rpt_chart_kind kind;
	char name[96];	      /* file stem: "echo-throughput" */
	const char *script;   /* in the scripts directory: "lines.gp" */
	const char *headline; /* "Throughput vs connections" */
	char data[PATH_MAX];  /* the data file it reads */
	char title[768];
	char note[1536]; /* lines separated by '\n'; "" when nothing is left out */
	bool nodata;	 /* nothing to draw: the chart shows only the note */
	char vars[4096]; /* further -e assignments for the script */
};

/*
 * Lists the charts of every group and writes their data files into datadir
 * (temp name + rename each; datadir NULL: only the list, titles and notes).
 * Returns the number of charts, or -1 after logging.
 */
int rpt_chart_all(const struct rpt_doc *doc, const char *datadir, struct rpt_chart *out, int cap);

/*
 * plot.c: writes the data files into DIR/charts/data and every chart as PNG
 * and SVG into DIR/charts with gnuplot. Returns the number of charts, or -1
 * after logging (gnuplot missing or failing: its own message is on stderr).
 */
int rpt_plot(const struct rpt_doc *doc, struct rpt_chart *out, int cap);

/* Appends s to buf as a gnuplot double-quoted string literal. */
void rpt_gp_quote(char *buf, size_t len, const char *s);

/* The models with data in a chart, in order: gnuplot's n, names and colours. */
struct rpt_legend {
	int blocks;
	char names[1024], colours[256];
};

void rpt_legend_add(struct rpt_legend *lg, const char *model);
/* Appends "n=..; names=..; colours=..; " to ch->vars. */
void rpt_legend_vars(struct rpt_chart *ch, const struct rpt_legend *lg);

/*
 * Writes ch's data file into datadir (NULL: into nothing, for the list alone):
 * a header line, then fill(f, ch, arg), which returns the points it wrote or
 * -1. Sets ch->data and ch->nodata ("no data" as the note when it is empty).
 */
int rpt_chart_write(const struct rpt_doc *doc, const char *datadir, struct rpt_chart *ch,
		    int (*fill)(FILE *f, struct rpt_chart *ch, void *arg), void *arg);

/* curves.c: the rate-sweep and size-axis charts, appended after the groups' own. */
int rpt_curve_charts(const struct rpt_doc *doc, const char *datadir, struct rpt_chart *out,
		     int cap);

#endif
