/*
 * ringside: the command-line entry point. Dispatches to a subcommand (cmd.h).
 * harness/ holds two halves over shared floors: run/ measures (options, suites,
 * rounds, cells, probes glue, the results writer) and report/ only reads
 * results.json (plot, export, report, claims, compare, charts, the run table).
 * Neither calls the other: after `ringside run` this file prints the table of
 * the results file the run wrote. Below both, core/ computes without processes
 * or /proc (the document, the one table of figures, a cell in words, summaries,
 * bound, stop and curve rules, statistics, verdicts) and sys/ controls child
 * processes and reads /proc and the host. tools/ holds the subcommands that are
 * tools of their own (doctor, trace, calibrate, resummarise, validate). Below
 * harness/ sit bpf/ (the probes) and lib/.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "report/table.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/*
 * `ringside run`, then the summary table of the results file it completed and
 * its path: measuring hands over the file, reporting reads it.
 */
static int run_then_table(int argc, char **argv)
{
	char path[PATH_MAX + 32] = "";
	int rc = cmd_run(argc, argv, path, sizeof(path));

	if (!path[0])
		return rc;
	if (table_print_file(stdout, path) && rc == RS_EXIT_OK)
		rc = RS_EXIT_FAIL;
	printf("results: %s\n", path);
	fflush(stdout);
	return rc;
}

static const struct command commands[] = {
    {"run", run_then_table, "run a suite of cells and write results.json"},
    {"list", cmd_list, "list suites and models"},
    {"doctor", cmd_doctor, "check what this machine can run, and what a run would skip"},
    {"trace", cmd_trace, "run any command under the probes; print its syscalls by name"},
    {"calibrate", cmd_calibrate, "ringside-load vs wrk, ringside-origin vs nginx, with CIs"},
    {"plot", cmd_plot, "render charts (PNG, SVG) from a results directory"},
    {"export", cmd_export, "write results as CSV and chart data files"},
    {"report", cmd_report, "write report.html and report.md with a claims check"},
    {"compare", cmd_compare, "compare two results cell by cell"},
    {"resummarise", cmd_resummarise, "recompute every summary from the runs in a results file"},
    {"validate", cmd_validate, "A/A and A/B runs: what this machine can decide"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ringside COMMAND [options]   (ringside COMMAND --help for details)\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nexamples:\n"
		   "  ringside run --suite smoke\n"
		   "  ringside run --models epoll,uring --connections 1,100 --repeat 5\n"
		   "  ringside trace -- /bin/true\n"
		   "  ringside doctor\n"
		   "  ringside calibrate --duration 5 --rounds 3\n");
}

int main(int argc, char **argv)
{
	log_init("ringside");
	if (argc < 2) {
		usage(stderr);
		return RS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return RS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ringside %s\n", RINGSIDE_VERSION);
		return RS_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	}
	usage_error("unknown command '%s'", argv[1]);
}
