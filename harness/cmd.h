/*
 * The ringside subcommands. Each takes the argv that follows its name
 * (argv[0] is the subcommand) and returns the process exit code:
 * 0 success, 1 failure, 2 bad usage (one line on stderr).
 */
#ifndef RS_CMD_H
#define RS_CMD_H

#include <stddef.h>

/*
 * run.c: suites of cells. Once the run completed, results (len bytes) gets
 * the path of its results.json (else it is left as it was): main.c prints the
 * table from that file.
 */
int cmd_run(int argc, char **argv, char *results, size_t len);
int cmd_list(int argc, char **argv);	/* run.c: suites and models */
int cmd_doctor(int argc, char **argv);	/* doctor.c: what this machine can run */
int cmd_trace(int argc, char **argv);	/* trace.c: any command under the probes */
int cmd_plot(int argc, char **argv);	/* plot.c: gnuplot charts from results */
int cmd_export(int argc, char **argv);	/* export.c: CSV and chart data files */
int cmd_report(int argc, char **argv);	/* report.c: report.html and report.md */
int cmd_compare(int argc, char **argv); /* compare.c: two results side by side */
/* tools/resummarise.c: every summary recomputed from the runs in a results file */
int cmd_resummarise(int argc, char **argv);
/* tools/validate.c: A/A and A/B comparisons with known effects on this machine */
int cmd_validate(int argc, char **argv);

/* calibrate.c: ringside-load against wrk, ringside-origin against nginx */
int cmd_calibrate(int argc, char **argv);

#endif
