/*
 * The summary table printed at the end of `ringside run` (by the dispatcher,
 * main.c, from the file the run wrote): read from the results document alone,
 * so the table shows what the file says. Its columns' heads and paths come
 * from core/figs.h, the cell's pieces from core/celltext.h (which also makes
 * the line logged per cell); the client-bound mark is core/bound.h's rule.
 */
#include <stdio.h>
#include <string.h>

#include "core/bound.h"
#include "core/celltext.h"
#include "core/doc.h"
#include "core/verdict.h"
#include "data.h"
#include "table.h"

/* The figure columns between runs and errors, with their widths. */
static const struct {
	enum fig_id fig;
	int width;
} columns[] = {
    {FIG_LATENCY_P50, 8}, {FIG_LATENCY_P99, 8}, {FIG_CPU_TOTAL, 9},
    {FIG_CTX_TOTAL, 8},	  {FIG_SYSCALLS, 8},
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* Where the load came from, when not from this machine (config.clients). */
static void table_load_origin(FILE *f, const json_t *doc)
{
	const json_t *cfg = json_object_get(doc, "config"), *cl = json_object_get(cfg, "clients"),
		     *c;
	const char *addr = json_string_value(json_object_get(cfg, "server_addr"));
	char list[512] = "";
	size_t i;

	json_array_foreach(cl, i, c)
	{
		const char *h = json_string_value(json_object_get(c, "host"))
				    ?: json_string_value(json_object_get(c, "exec"));

		if (!h)
			return;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 h);
	}
	if (list[0])
		fprintf(f, "load: %zu load generators (%s) dialling %s\n", json_array_size(cl),
			list, addr ? addr : "?");
}

/*
 * For each (workload, size, connections) in cell order, the verdict on the best
 * model against the runner-up, from results.json's verdicts (core/verdict.h).
 */
static void table_verdicts(FILE *f, const json_t *doc)
{
	json_t *list = verdict_list(doc), *v;
	char line[1024];
	size_t i;

	json_array_foreach(list, i, v)
	{
		verdict_line(v, line, sizeof(line));
		fprintf(f, "verdict: %s\n", line);
	}
	json_decref(list);
}

void table_print(FILE *f, const json_t *doc)
{
	const json_t *cells = json_object_get(doc, "cells"), *cell;
	const struct fig *errors = &figs[FIG_ERRORS];
	bool any_bottleneck = false, any_errors = false, any_range = false;
	char tput_head[64];
	size_t i;

	snprintf(tput_head, sizeof(tput_head), "%s median [95%% CI]",
		 figs[FIG_REQUESTS_PER_SEC].abbr);
	fprintf(f, "%-17s %6s %-28s %4s", "model", "conns", tput_head, "runs");
	for (size_t k = 0; k < NCOLUMNS; k++)
		fprintf(f, " %*s", columns[k].width, figs[columns[k].fig].abbr);
	fprintf(f, " %6s %-7s %s\n", errors->abbr, "bound", "status");
	json_array_foreach(cells, i, cell)
	{
		const char *status = json_string_value(json_object_get(cell, "status"));
		char tput[96], fig[24], err[24], marks[64];
		bool bott = bound_cell_client(cell);
		double errs;
		bool a = fig_cell(cell, errors, &errs);

		celltext_tput(cell, tput, sizeof(tput));
		any_range |= tput[strlen(tput) - 1] == '~';
		celltext_marks(cell, marks, sizeof(marks));
		if (a)
			snprintf(err, sizeof(err), "%.0f", errs);
		else
			snprintf(err, sizeof(err), "-");
		any_errors |= a && errs > 0;
		any_bottleneck |= bott;
		fprintf(f, "%-17s %6lld %-28s %4zu",
			json_string_value(json_object_get(cell, "model")),
			(long long)json_integer_value(json_object_get(cell, "connections")), tput,
			json_array_size(json_object_get(cell, "runs")));
		for (size_t k = 0; k < NCOLUMNS; k++) {
			celltext_fig(cell, &figs[columns[k].fig], fig, sizeof(fig));
			fprintf(f, " %*s", columns[k].width, fig);
		}
		fprintf(f, " %6s %-7s %s%s%s%s\n", err,
			doc_str(cell, "bound")[0] ? doc_str(cell, "bound") : "-", status, marks,
			bott ? " (client-bound!)" : "", a && errs > 0 ? " (ERRORS!)" : "");
		if (strcmp(status, "ok"))
			fprintf(f, "  ^ %s\n",
				json_string_value(json_object_get(cell, "reason")) ?: "");
	}
	table_verdicts(f, doc);
	if (any_range)
		fprintf(f,
			"~: under 6 unprobed runs, so the interval is only [min, max], not a 95%% "
			"CI\n");
	if (any_bottleneck)
		fprintf(f,
			"warning: in the cells marked client-bound! the load generator's CPU was "
			"over %.0f%% busy (bound client or both): their figures measure the client "
			"as much as the server\n",
			100 * BOUND_UTIL);
	if (any_errors)
		fprintf(f, "warning: some runs counted errors; see results.json\n");
	table_load_origin(f, doc);
	if (strcmp(json_string_value(json_object_get(json_object_get(doc, "probes"), "mode")) ?: "",
		   "bpf"))
		fprintf(f, "syscalls/req: - (probes off: %s)\n",
			json_string_value(json_object_get(json_object_get(doc, "probes"), "reason"))
			    ?: "");
}

int table_print_file(FILE *f, const char *path)
{
	struct rpt_doc doc;
	int rc = rpt_doc_load(path, &doc);

	if (rc)
		return rc;
	table_print(f, doc.root);
	rpt_doc_free(&doc);
	return 0;
}
