/*
 * `ringside run` and `ringside list`: the loop over cells and SIGINT/SIGTERM
 * handling (the current cell's children are stopped and results.json says
 * "interrupted"). Options and suites are options.c; one cell is cell.c; the
 * document is results.c; output is table.c.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cell.h"
#include "options.h"
#include "peers.h"
#include "probes.h"
#include "results.h"
#include "table.h"
#include "log.h"
#include "models.h"
#include "net.h"
#include "opts.h"

volatile sig_atomic_t run_interrupted;

static void on_signal(int sig)
{
	run_interrupted = sig;
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: polls return */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static struct {
	const struct run_opts *o;
	const struct cell_plan *plan;
	int cells_done, total;
	double per_run_s;
} progress_state;

static void on_progress(const struct cell_spec *c, int rep, bool probed)
{
	const struct run_opts *o = progress_state.o;
	int passes = progress_state.plan->passes;
	int left = (c->total - c->index) * (int)o->repeat * passes - rep * passes - probed;

	table_progress(o, c, rep, probed, left * progress_state.per_run_s);
}

static int exit_code_for(int sig)
{
	return 128 + sig;
}

int cmd_run(int argc, char **argv)
{
	const struct cell_probe_ops *probes;
	struct cell_plan plan;
	struct run_opts o;
	char probes_off[256];
	char base[PATH_MAX], dir[PATH_MAX], path[PATH_MAX + 32], stamp[32];
	struct cell_spec spec;
	char **full;
	char *command;
	json_t *doc;
	int total, write_failed = 0;

	run_parse_opts(&o, argc, argv);
	if (probes_init(o.probes, &probes, probes_off, sizeof(probes_off)))
		return RS_EXIT_FAIL;
	plan = cell_plan_make(probes);
	total = o.nmodels * o.nconns;

	/* The recorded command is the whole ringside command line. */
	full = calloc(argc + 2, sizeof(*full));
	if (!full) {
		LOG_ERR("out of memory");
		probes_fini();
		return RS_EXIT_FAIL;
	}
	full[0] = "ringside";
	for (int i = 0; i < argc; i++)
		full[i + 1] = argv[i];
	command = results_quote_argv(argc + 1, full);
	free(full);
	if (!command) {
		LOG_ERR("out of memory");
		probes_fini();
		return RS_EXIT_FAIL;
	}

	results_utc_now(stamp, sizeof(stamp), true);
	if (o.out)
		snprintf(base, sizeof(base), "%s", o.out);
	else
		snprintf(base, sizeof(base), "results/%s-%s", stamp, o.suite);
	install_signals();
	if (results_make_dir(base, dir, sizeof(dir))) {
		free(command);
		return RS_EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/results.json", dir);
	doc = results_new(&o, &plan, probes_off, command);
	free(command);
	if (results_write(path, doc)) {
		json_decref(doc);
		return RS_EXIT_FAIL;
	}
	/* Peer configs, nginx's body file and logs: removed when the run ends. */
	if (o.workload->origin_bin) {
		snprintf(o.tmpdir, sizeof(o.tmpdir), "/tmp/ringside-XXXXXX");
		if (!mkdtemp(o.tmpdir)) {
			PLOG_ERR("cannot create a temporary directory under /tmp");
			json_decref(doc);
			return RS_EXIT_FAIL;
		}
	}
	/* Keep ringside itself off the server's CPUs. */
	pin_self(&o.client_cpus);
	if (o.shared_cpu && !o.quiet)
		LOG_WARN("server and client share CPU(s): figures include their interference");

	progress_state.o = &o;
	progress_state.plan = &plan;
	progress_state.total = total;
	progress_state.per_run_s = o.warmup_s + o.duration_s + 0.3;
	for (int i = 0; i < total && !run_interrupted; i++) {
		json_t *cell;

		spec = (struct cell_spec){
		    .workload = o.workload,
		    .model = o.models[i / o.nconns],
		    .info = models_find(o.models[i / o.nconns]),
		    .connections = o.conns[i % o.nconns],
		    .index = i,
		    .total = total,
		};
		cell = cell_measure(&plan, &o, &spec, on_progress);
		if (!cell)
			break;
		results_add_cell(doc, cell);
		table_cell_line(&o, &spec, cell);
		write_failed += results_write(path, doc) != 0;
	}
	table_progress_done();
	probes_fini();
	peer_tmp_remove(o.tmpdir);
	if (run_interrupted) {
		results_set_status(doc, "interrupted");
		if (results_write(path, doc))
			LOG_ERR("cannot write the final %s: it holds the last write that worked",
				path);
		LOG_INFO("interrupted by %s; finished cells are in %s", strsignal(run_interrupted),
			 path);
		json_decref(doc);
		return exit_code_for(run_interrupted);
	}
	results_set_status(doc, "complete");
	write_failed += results_write(path, doc) != 0;
	table_print(stdout, doc);
	printf("results: %s\n", path);
	fflush(stdout);
	json_decref(doc);
	if (write_failed) {
		LOG_ERR("%d write%s of %s failed (see above): it holds the last write that worked",
			write_failed, write_failed == 1 ? "" : "s", path);
		return RS_EXIT_FAIL;
	}
	return RS_EXIT_OK;
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
		char models[256];

		run_suite_models(s, models, sizeof(models));
		printf("  %-8s %s\n", s->name, s->help);
		printf("           workload %s; models %s; connections %s; %s %lu B; duration "
		       "%g s, warmup %g s, repeat %lu\n",
		       s->workload->name, models, s->conns,
		       s->workload == &rs_workload_echo ? "payload" : "body", s->size,
		       s->duration_s, s->warmup_s, s->repeat);
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
