/*
 * The charts behind `ringside plot` and `ringside export --data`. One registry
 * (plot.c, rpt_chart_kinds) lists every kind of chart: its name, the gnuplot
 * script in scripts/ that draws it, and the function that writes its plain data
 * file and the gnuplot variables (-e) the script expects. chart.c holds what
 * every chart shares (the data file, legends, notes) and the charts drawn for
 * each (workload, size) group; curves.c the rate-sweep and size-axis charts.
 * Neither calls plot.c, and chart.c does not call curves.c.
 */
#ifndef RS_REPORT_CHART_H
#define RS_REPORT_CHART_H

#include "core/figs.h"
#include "data.h"

#define RPT_MAX_CURVE_SETS  8  /* (workload, connections, size) sets of curves */
#define RPT_MAX_SIZE_CHARTS 8  /* throughput-by-size and knee-by-size charts */
#define RPT_MAX_KINDS	    32 /* rows of the registry */
#define RPT_MAX_CHARTS	    (RPT_MAX_GROUPS * 16 + RPT_MAX_CURVE_SETS * 3 + RPT_MAX_SIZE_CHARTS)

struct rpt_chart_kind;
struct rpt_curve_set;

struct rpt_chart {
	const struct rpt_chart_kind *kind;
	const char *script;   /* kind->script */
	const char *headline; /* kind->headline */
	char name[96];	      /* file stem: "echo-throughput" */
	char data[PATH_MAX];  /* the data file it reads */
	char title[768];
	char note[1536]; /* lines separated by '\n'; "" when nothing is left out */
	bool nodata;	 /* nothing to draw: the chart shows only the note */
	char vars[4096]; /* further -e assignments for the script */
	double ymax;	 /* the largest |y| its data file holds: 0 with points is "none measured" */
	bool equal_load; /* a chart of the equal-load cells (data.h, RPT_RATE_EQUAL) */
};

/* The three ways a kind makes its charts; exactly one is set in a registry row. */
typedef int rpt_group_fn(const struct rpt_doc *doc, const struct rpt_group *g,
			 const struct rpt_chart_kind *k, const char *datadir, struct rpt_chart *ch);
typedef int rpt_set_fn(const struct rpt_doc *doc, const struct rpt_curve_set *set,
		       const struct rpt_chart_kind *k, const char *datadir, struct rpt_chart *ch);
typedef int rpt_run_fn(const struct rpt_doc *doc, const struct rpt_chart_kind *k,
		       const char *datadir, struct rpt_chart *out, int cap);

/* A row of the registry. */
struct rpt_chart_kind {
	const char *name;	     /* "throughput": for --only, and the end of each file name */
	const char *script;	     /* in the scripts directory: "lines.gp" */
	const char *headline;	     /* "Throughput vs connections" */
	const char *ylabel, *xlabel; /* xlabel NULL: the script's own */
	const char *when;	     /* `plot --help`: which runs have it */
	const char *workload;	     /* drawn for this workload's groups only; NULL: all */
	bool equal_only;	     /* drawn for groups at equal open-loop load only */
	const struct fig *fig[3];    /* the figures it draws (core/figs.h; stacked: by head) */
	bool x_offered;		     /* a curve against the offered rate, not the achieved */
	bool probes;		     /* its figures come from the probes */
	const char *probes_off_note; /* a note when probes were off */
	const char *vars;	     /* further -e assignments: "refline=1; " */
	/* one chart per group (0: none for this group, 1: drawn, -1: error) */
	rpt_group_fn *per_group;
	/* one chart per set of curves (the same), */
	rpt_set_fn *per_curve_set;
	/* or charts over the whole run (how many, or -1) */
	rpt_run_fn *per_run;
};

/* plot.c: the registry, NULL-terminated, in the order the charts are listed. */
extern const struct rpt_chart_kind rpt_chart_kinds[];
/* The row called name; NULL if none. */
const struct rpt_chart_kind *rpt_chart_kind_find(const char *name);

/*
 * plot.c: lists the charts of the kinds in mask (bit i: rpt_chart_kinds[i];
 * all: ~0ULL): each group's, then each set of curves', then the run's; writes
 * their data files into datadir (temp name + rename each; datadir NULL: only
 * the list, titles and notes). Returns the number of charts, or -1 after logging.
 */
int rpt_chart_select(const struct rpt_doc *doc, const char *datadir, unsigned long long mask,
		     struct rpt_chart *out, int cap);
/* Every kind. */
int rpt_chart_all(const struct rpt_doc *doc, const char *datadir, struct rpt_chart *out, int cap);

enum rpt_format { RPT_FMT_PNG = 1u << 0, RPT_FMT_SVG = 1u << 1, RPT_FMT_PDF = 1u << 2 };

struct rpt_plot_opts {
	unsigned long long kinds; /* mask over rpt_chart_kinds */
	unsigned formats;	  /* enum rpt_format */
	int width, height;	  /* pixels; PDF: width/72 by height/72 inches */
	bool mono;		  /* dash types, point types and fill patterns, in greys */
};

#define RPT_PLOT_DEFAULTS                                                                          \
	{                                                                                          \
		.kinds = ~0ULL, .formats = RPT_FMT_PNG | RPT_FMT_SVG, .width = 1200, .height = 750 \
	}

/*
 * plot.c: writes the data files into DIR/charts/data and every chart in each
 * format into DIR/charts with gnuplot. Returns the number of charts, or -1
 * after logging (gnuplot missing or failing: its own message is on stderr).
 */
int rpt_plot_with(const struct rpt_doc *doc, const struct rpt_plot_opts *o, struct rpt_chart *out,
		  int cap);
/* The same with RPT_PLOT_DEFAULTS (every chart as PNG and SVG, 1200x750, in colour). */
int rpt_plot(const struct rpt_doc *doc, struct rpt_chart *out, int cap);

/* Appends s to buf as a gnuplot double-quoted string literal. */
void rpt_gp_quote(char *buf, size_t len, const char *s);

/* The models with data in a chart, in order: gnuplot's n, names, colours and styles. */
struct rpt_legend {
	int blocks;
	char names[1024], colours[512], styles[128];
};

void rpt_legend_add(struct rpt_legend *lg, const struct rpt_doc *doc, const char *model);
/* Appends "n=..; names=..; colours=..; styles=..; " to ch->vars. */
void rpt_legend_vars(struct rpt_chart *ch, const struct rpt_legend *lg);

/*
 * Starts ch for kind k: clears it, names it "STEM-KIND" and titles it
 * "HEADLINE (WHAT)\nHOST".
 */
void rpt_chart_begin(const struct rpt_doc *doc, const struct rpt_chart_kind *k, const char *stem,
		     const char *what, struct rpt_chart *ch);

/*
 * Writes ch's data file into datadir (NULL: into nothing, for the list alone):
 * a header line, then fill(f, ch, arg), which returns the points it wrote or
 * -1 and keeps ch->ymax. Sets ch->data and ch->nodata: "no data" as the note
 * when there are no points; with points that are all 0, "none measured" and
 * nothing drawn (gnuplot cannot scale a y axis of [0:0]).
 */
int rpt_chart_write(const struct rpt_doc *doc, const char *datadir, struct rpt_chart *ch,
		    int (*fill)(FILE *f, struct rpt_chart *ch, void *arg), void *arg);

/* chart.c: the per-group makers the registry names (rpt_group_fn). */
rpt_group_fn rpt_chart_lines;	 /* a line per model of fig against connections */
rpt_group_fn rpt_chart_bars;	 /* a bar per model and count of fig[0] */
rpt_group_fn rpt_chart_stacked;	 /* stacked bars of fig, named by their heads */
rpt_group_fn rpt_chart_syscalls; /* stacked bars of the top syscalls by name */
rpt_group_fn rpt_chart_cpu_time; /* where the CPU of a request goes */

#endif
