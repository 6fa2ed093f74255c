/*
 * run/: measuring. options.c parses, workloads.c holds the workload and model
 * lists, cell*.c run one cell (spawn, follow, JSON, noise), proc.c and peers.c
 * control processes, probes.c glues the BPF probes, remote*.c runs load
 * generators elsewhere, sweep.c the rate sweeps, results*.c write the document.
 * `ringside run` and `ringside list`: the loop over cells and SIGINT/SIGTERM
 * handling (the current cell's children are stopped and results.json says
 * "interrupted"). Options and suites are options.c; one cell is cell.c; the
 * document is results.c; output is table.c.
 */
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "sys/child.h"
#include "sys/tmpdir.h"
#include "cell.h"
#include "options.h"
#include "probes.h"
#include "remote.h"
#include "results.h"
#include "core/stats.h"
#include "sweep.h"
#include "table.h"
#include "log.h"
#include "models.h"
#include "clock.h"
#include "cpus.h"
#include "opts.h"

volatile sig_atomic_t run_interrupted;

static void on_signal(int sig)
{
	run_interrupted = sig;
}

void run_install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: polls return */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Everything the rounds loop shares with the progress callback and the writer. */
struct run_ctx {
	const struct run_opts *o;
	const struct cell_plan *plan;
	struct cell *cells; /* model-major, as config lists them */
	int ncells;
	int round;
	json_t *doc;
	const char *path;
	int write_failed;
	uint64_t t0_ns;
	int runs_done;
};

/* Repetitions a cell may still make: exact for --repeat N, the minimum for auto. */
static int reps_left(const struct run_opts *o, const struct cell *c)
{
	int want = o->repeat
		       ? (int)o->repeat
		       : (int)(o->max_repeat < RUN_MIN_ROUNDS ? o->max_repeat : RUN_MIN_ROUNDS);

	if (c->done)
		return 0;
	return c->reps < want ? want - c->reps : 1;
}

static void on_progress(void *arg, const struct cell *c, bool probed)
{
	const struct run_ctx *x = arg;
	double per_run = x->o->warmup_s + x->o->duration_s + 0.5, left = 0;

	if (x->runs_done)
		per_run = (now_ns() - x->t0_ns) / 1e9 / x->runs_done;
	for (int i = 0; i < x->ncells; i++)
		left += reps_left(x->o, &x->cells[i]);
	left = left * x->plan->passes - probed;
	table_progress(x->o, c, x->round, probed, left * per_run, x->o->repeat == 0);
}

/* The cells with runs (or skipped) go into doc.cells, in config order. */
static void write_doc(struct run_ctx *x)
{
	json_t *arr = json_object_get(x->doc, "cells");

	if (x->o->sweep_rate) { /* sweep.c keeps doc.cells itself */
		x->write_failed += results_write(x->path, x->doc) != 0;
		return;
	}
	json_array_clear(arr);
	for (int i = 0; i < x->ncells; i++)
		if (json_array_size(json_object_get(x->cells[i].json, "runs")) || x->cells[i].done)
			json_array_append(arr, x->cells[i].json);
	x->write_failed += results_write(x->path, x->doc) != 0;
}

/* Decides, after a repetition, whether the cell goes on; records why it stopped. */
static void judge_cell(const struct run_opts *o, struct cell *c)
{
	const char *why = NULL;

	if (c->done)
		return;
	if (o->repeat) {
		if ((unsigned long)c->reps >= o->repeat)
			why = "fixed";
	} else if (c->reps >= RUN_MIN_ROUNDS || (unsigned long)c->reps >= o->max_repeat) {
		double hw = results_ci_halfwidth_pct(c->json);

		if (isfinite(hw) && hw <= o->target_ci_pct && c->reps >= RUN_MIN_ROUNDS)
			why = "ci";
		else if ((unsigned long)c->reps >= o->max_repeat)
			why = "max";
	}
	if (why) {
		json_object_set_new(c->json, "repeat_stopped", json_string(why));
		c->done = true;
	}
}

/* One repetition of one cell, then its summary, its verdict and the write. -1: interrupted. */
static int step(struct run_ctx *x, struct cell *c)
{
	size_t before = json_array_size(json_object_get(c->json, "runs"));
	int rc = cell_measure(x->plan, c->o ? c->o : x->o, c, x->round, on_progress, x);

	x->runs_done += json_array_size(json_object_get(c->json, "runs")) - before;
	results_update_cell(c->json);
	if (rc)
		return -1;
	judge_cell(x->o, c);
	if (c->done)
		table_cell_line(x->o, &c->spec, c->json);
	write_doc(x);
	return 0;
}

/*
 * Interleaved: each round runs every cell that goes on once, in an order
 * shuffled afresh from the seed. Sequential: model-major, back to back.
 */
static void run_rounds(struct run_ctx *x)
{
	uint64_t rng = x->o->seed;
	int *order = calloc(x->ncells, sizeof(*order));

	if (!order) {
		LOG_ERR("out of memory");
		x->write_failed++;
		return;
	}
	if (x->o->sequential) {
		for (int i = 0; i < x->ncells && !run_interrupted; i++)
			for (x->round = 0; !x->cells[i].done && !run_interrupted; x->round++)
				if (step(x, &x->cells[i]))
					break;
		free(order);
		return;
	}
	for (x->round = 0; !run_interrupted; x->round++) {
		int n = 0;

		for (int i = 0; i < x->ncells; i++)
			if (!x->cells[i].done)
				order[n++] = i;
		if (!n)
			break;
		stats_shuffle(order, n, &rng);
		for (int k = 0; k < n && !run_interrupted; k++)
			if (step(x, &x->cells[order[k]]))
				break;
	}
	free(order);
}

/* The recorded command: the whole ringside command line; NULL when out of memory. */
static char *command_line(int argc, char **argv)
{
	char **full = calloc(argc + 2, sizeof(*full));
	char *command;

	if (!full)
		return NULL;
	full[0] = "ringside";
	for (int i = 0; i < argc; i++)
		full[i + 1] = argv[i];
	command = results_quote_argv(argc + 1, full);
	free(full);
	return command;
}

int cmd_run(int argc, char **argv)
{
	const struct cell_probe_ops *probes;
	struct cell_plan plan;
	struct run_opts o;
	struct run_ctx x;
	char probes_off[256];
	char base[PATH_MAX], dir[PATH_MAX], path[PATH_MAX + 32], stamp[32];
	char *command = NULL;
	struct run_opts *size_opts = NULL;
	json_t *doc = NULL;
	int rc = RS_EXIT_FAIL;

	run_parse_opts(&o, argc, argv);
	if (probes_init(o.probes, &probes, probes_off, sizeof(probes_off)))
		return RS_EXIT_FAIL;
	plan = cell_plan_make(probes);
	x = (struct run_ctx){.o = &o, .plan = &plan, .path = path};
	x.ncells = o.sweep_rate ? 0 : o.nmodels * o.nconns * o.nsizes;
	x.cells = calloc(x.ncells + 1, sizeof(*x.cells));
	command = command_line(argc, argv);
	if (!x.cells || !command) {
		LOG_ERR("out of memory");
		goto out;
	}
	results_utc_now(stamp, sizeof(stamp), true);
	if (o.out)
		snprintf(base, sizeof(base), "%s", o.out);
	else
		snprintf(base, sizeof(base), "results/%s-%s", stamp, o.suite);
	run_install_signals();
	if (results_make_dir(base, dir, sizeof(dir)))
		goto out;
	snprintf(path, sizeof(path), "%s/results.json", dir);
	o.result_dir = dir;
	x.doc = doc = results_new(&o, &plan, probes_off, command);
	if (results_write(path, doc))
		goto out;
	/* Peer and --server configs, nginx's body file, logs: removed when the run ends. */
	if (o.workload->origin_bin || o.nservers) {
		snprintf(o.tmpdir, sizeof(o.tmpdir), "/tmp/ringside-XXXXXX");
		if (!mkdtemp(o.tmpdir)) {
			PLOG_ERR("cannot create a temporary directory under /tmp");
			o.tmpdir[0] = '\0';
			goto out;
		}
	}
	/* Each size's copy of the options, once they hold the result and temporary dirs. */
	size_opts = sweep_size_opts(&o);
	if (!size_opts) {
		LOG_ERR("out of memory");
		goto out;
	}
	/* A --server's forks, orphaned when it stops, are ours to reap (proc_stop). */
	proc_subreaper();
	/* Keep ringside itself off the server's CPUs. */
	pin_self(&o.client_cpus);
	if (o.shared_cpu && !o.quiet)
		LOG_WARN("server and client share CPU(s): figures include their interference");

	/* Cells are model-major, then connections, then sizes (each size its options). */
	for (int i = 0; i < x.ncells; i++) {
		const char *model = o.models[i / (o.nconns * o.nsizes)];
		struct cell_spec spec = {
		    .workload = o.workload,
		    .model = model,
		    .info = workloads_model_find(model),
		    .connections = o.conns[i / o.nsizes % o.nconns],
		    .index = i,
		    .total = x.ncells,
		};

		cell_init(&x.cells[i], &size_opts[i % o.nsizes], &spec);
		x.cells[i].o = &size_opts[i % o.nsizes];
		json_object_set_new(x.cells[i].json, "repeat_stopped", json_null());
		results_update_cell(x.cells[i].json);
		if (x.cells[i].done)
			table_cell_line(&o, &spec, x.cells[i].json);
	}
	x.t0_ns = now_ns();
	if (o.sweep_rate)
		x.write_failed += sweep_run(&o, &plan, doc, path);
	else
		run_rounds(&x);
	table_progress_done();
	if (run_interrupted) {
		results_set_status(doc, "interrupted");
		write_doc(&x);
		LOG_INFO("interrupted by %s; finished runs are in %s", strsignal(run_interrupted),
			 path);
		rc = 128 + run_interrupted; /* as a shell reports a death by signal */
		goto out;
	}
	results_set_status(doc, "complete");
	write_doc(&x);
	table_print(stdout, doc);
	printf("results: %s\n", path);
	fflush(stdout);
	rc = RS_EXIT_OK;
out:
	if (x.write_failed) {
		LOG_ERR("%d write%s of %s failed (see above): it holds the last write that worked",
			x.write_failed, x.write_failed == 1 ? "" : "s", path);
		if (rc == RS_EXIT_OK)
			rc = RS_EXIT_FAIL;
	}
	probes_fini();
	remote_cleanup(o.remote);
	tmpdir_remove(o.tmpdir);
	run_custom_free(&o);
	for (int i = 0; x.cells && i < x.ncells; i++)
		json_decref(x.cells[i].json);
	free(x.cells);
	free(size_opts);
	free(command);
	json_decref(doc);
	return rc;
}

int cmd_list(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: ringside list\n\nLists the suites, workloads and models.\n");
		return RS_EXIT_OK;
	}
	if (argc > 1)
		usage_error("unexpected argument '%s'", argv[1]);
	printf("suites:\n");
	for (const struct run_suite *s = run_suites; s->name; s++) {
		char models[256], repeat[40];

		run_suite_models(s, models, sizeof(models));
		if (s->repeat)
			snprintf(repeat, sizeof(repeat), "%lu", s->repeat);
		else
			snprintf(repeat, sizeof(repeat), "auto (3 to %lu)", s->max_repeat);
		printf("  %-8s %s\n", s->name, s->help);
		printf("           workload %s; models %s; connections %s; %s %lu B; duration "
		       "%g s, warmup %g s, repeat %s\n",
		       s->workload->name, models, s->conns,
		       s->workload == &rs_workload_echo ? "payload" : "body", s->size,
		       s->duration_s, s->warmup_s, repeat);
	}
	printf("  %-8s what --models/--connections/--workload without --suite give: the echo "
	       "suite's settings otherwise (tinygate's for proxy)\n",
	       "custom");
	printf("\nworkloads:\n");
	for (const struct rs_workload *const *w = run_workloads; *w; w++)
		printf("  %-8s %s\n", (*w)->name, (*w)->help);
	run_print_models(stdout);
	return RS_EXIT_OK;
}
