/*
 * run/: measuring. options.c declares the options (one row each; options_gen.c
 * makes getopt, --help and config from the rows, options_check.c checks them
 * against each other), suites.c the suites, plan.c the cell matrix, drive.c the
 * one driver (a point at a time, in rounds), sweep.c the rate sweeps over it,
 * equal.c the equal-load rounds after the closed loop (--equal-load),
 * cell*.c one cell (spawn, follow, JSON, noise), peers.c the peers, probes.c
 * the BPF glue, remote*.c load generators elsewhere, results*.c the document.
 * This file: `ringside run` (set up, drive, finish; SIGINT/SIGTERM stop the
 * current cell's children and results.json says "interrupted"), which hands
 * the path of a completed results.json back to the dispatcher (main.c prints
 * its table through report/: measuring never calls reporting), and `ringside list`.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "sys/child.h"
#include "sys/tmpdir.h"
#include "cell.h"
#include "drive.h"
#include "equal.h"
#include "options.h"
#include "plan.h"
#include "probes.h"
#include "remote.h"
#include "results.h"
#include "sweep.h"
#include "core/doc.h"
#include "progress.h"
#include "log.h"
#include "models.h"
#include "clock.h"
#include "cpus.h"
#include "opts.h"
#include "fsio.h"
#include "text.h"
#include "utc.h"

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
	command = text_quote_argv(argc + 1, full);
	free(full);
	return command;
}

/* --dry-run: the effective config, the plan and where each option is recorded, as JSON. */
static int print_plan(const struct run_opts *o)
{
	json_t *out =
	    json_pack("{s:s,s:o,s:o,s:o}", "suite", o->suite, "config", run_config_json(o), "plan",
		      plan_json(o), "options", run_option_keys());
	int rc = json_dumpf(out, stdout, JSON_INDENT(2)) || putchar('\n') == EOF;

	json_decref(out);
	return rc ? RS_EXIT_FAIL : RS_EXIT_OK;
}

int cmd_run(int argc, char **argv, char *results, size_t len)
{
	const struct cell_probe_ops *probes;
	struct cell_plan plan;
	struct run_opts o;
	struct drive d = {0};
	char probes_off[256];
	char base[PATH_MAX], dir[PATH_MAX], path[PATH_MAX + 32], stamp[32];
	char *command = NULL;
	struct run_opts *size_opts = NULL, *equal_opts = NULL;
	json_t *doc = NULL;
	int rc = RS_EXIT_FAIL;

	run_parse_opts(&o, argc, argv);
	if (o.dry_run) {
		rc = print_plan(&o);
		remote_cleanup(o.remote);
		run_custom_free(&o);
		return rc;
	}
	if (probes_init(o.probes, &probes, probes_off, sizeof(probes_off)))
		return RS_EXIT_FAIL;
	plan = cell_plan_make(probes);
	command = command_line(argc, argv);
	if (!command) {
		LOG_ERR("out of memory");
		goto out;
	}
	utc_now(stamp, sizeof(stamp), true);
	if (o.out)
		snprintf(base, sizeof(base), "%s", o.out);
	else
		snprintf(base, sizeof(base), "results/%s-%s", stamp, o.suite);
	run_install_signals();
	if (fs_mkdir_fresh(base, dir, sizeof(dir)))
		goto out;
	snprintf(path, sizeof(path), "%s/results.json", dir);
	o.result_dir = dir;
	doc = results_new(&o, &plan, probes_off, command);
	if (doc_write(path, doc))
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
	size_opts = plan_size_opts(&o);
	if (!size_opts || drive_init(&d, &o, &plan, doc, path, plan_ncells(&o))) {
		LOG_ERR("out of memory");
		goto out;
	}
	/* A --server's forks, orphaned when it stops, are ours to reap (proc_stop). */
	proc_subreaper();
	/* Keep ringside itself off the server's CPUs. */
	pin_self(&o.client_cpus);
	if (o.shared_cpu && !o.quiet)
		LOG_WARN("server and client share CPU(s): figures include their interference");

	if (o.sweep_rate) {
		sweep_run(&d, size_opts);
	} else {
		for (int i = 0; i < plan_ncells(&o); i++) {
			struct cell_spec spec;
			int size;

			struct cell *c = drive_add(&d);

			if (!c) {
				LOG_ERR("out of memory");
				goto out;
			}
			plan_cell(&o, i, &spec, &size);
			drive_cell_init(&d, c, &size_opts[size], &spec);
		}
		d.t0_ns = now_ns();
		drive_rounds(&d);
		if (o.equal_load > 0 && !run_interrupted &&
		    equal_load_run(&d, size_opts, &equal_opts))
			goto out;
	}
	progress_done();
	if (run_interrupted) {
		results_set_status(doc, "interrupted");
		drive_write(&d);
		LOG_INFO("interrupted by %s; finished runs are in %s", strsignal(run_interrupted),
			 path);
		rc = 128 + run_interrupted; /* as a shell reports a death by signal */
		goto out;
	}
	results_set_status(doc, "complete");
	drive_write(&d);
	snprintf(results, len, "%s", path); /* the dispatcher prints its table */
	rc = RS_EXIT_OK;
out:
	if (d.write_failed) {
		LOG_ERR("%d write%s of %s failed (see above): it holds the last write that worked",
			d.write_failed, d.write_failed == 1 ? "" : "s", path);
		if (rc == RS_EXIT_OK)
			rc = RS_EXIT_FAIL;
	}
	probes_fini();
	remote_cleanup(o.remote);
	tmpdir_remove(o.tmpdir);
	run_custom_free(&o);
	drive_fini(&d);
	free(equal_opts);
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
			snprintf(repeat, sizeof(repeat), "auto (%d to %lu)", RUN_MIN_ROUNDS,
				 s->max_repeat);
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
