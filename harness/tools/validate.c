/*
 * `ringside validate`: what this machine can resolve, from known effects. A/A
 * runs an epoll echo server (with --workload proxy, the epoll reverse proxy)
 * against a twin of itself (the same binary brought as a --server); A/B gives
 * the twin --work-us W, a known amount of user CPU per request. Each trial is
 * one `ringside run` of interleaved rounds; its verdicts (core/verdict.h) are
 * read back from results.json: on throughput (closed loop) and, with
 * --equal-load F (default 0.5), on server CPU per request with both open-loop
 * at F of the lower closed-loop median (the efficiency verdict). Prints the A/A
 * false winners and the A/B detections of each, the measured CPU difference
 * against W, and the smallest effect decided in a trial's time.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "core/stats.h"
#include "core/verdict.h"
#include "fsio.h"
#include "log.h"
#include "opts.h"

#define VAL_MAX_TRIALS 100

struct val_opts {
	const char *workload; /* "echo" or "proxy" */
	unsigned long trials, conns, rounds, work_us;
	double duration_s, equal_load; /* equal_load 0: no efficiency verdict */
	bool json;
};

/* One verdict between epoll and the twin. */
struct val_verdict {
	bool ok;
	const char *decision; /* "winner", "equivalent" or "cannot-tell" */
	bool base_wins;	      /* "epoll" (not the twin) won: more throughput, or less CPU */
	double halfwidth_pct; /* of the ratio's CI; NaN without one */
	double ratio;	      /* epoll / twin: the estimate */
};

struct val_trial {
	bool ok;
	const char *decision;	  /* of the throughput verdict between the two */
	bool base_wins;		  /* "epoll" (not the twin) won */
	double halfwidth_pct;	  /* of the ratio's CI; NaN without one */
	double ratio;		  /* epoll / twin: the estimate */
	struct val_verdict eff;	  /* at equal load (not ok without --equal-load) */
	double user_us, total_us; /* twin - base, median over paired rounds */
	double wall_s;
	char reason[512];
};

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: ringside validate [--trials N] [--work-us W] [--connections N]\n"
	       "                         [--rounds R] [--duration S] [--equal-load F]\n"
	       "                         [--workload echo|proxy] [--json]\n\n"
	       "Known effects on this machine. A/A: the epoll echo server (--workload proxy:\n"
	       "the epoll reverse proxy, before our origin) against a twin of itself (the\n"
	       "same ringside-echo or ringside-proxy, brought with --server); A/B: the twin with\n"
	       "--work-us W (default 1), W us of user CPU more per request. Each trial is one\n"
	       "`ringside run` of R interleaved rounds (default 8) of S-second runs (default\n"
	       "0.5) at N connections (default 100); the verdict is the one results.json\n"
	       "holds (docs/claims.md, \"Verdict rules\"): on throughput, and on server CPU\n"
	       "per request with both open-loop at F (default 0.5) of the lower closed-loop\n"
	       "median (the run's --equal-load; 0: throughput only). Prints the A/A false\n"
	       "winners and the A/B detections of each, the measured user (ticks) and total\n"
	       "(scheduler ns) CPU per request difference against W (closed loop), and the\n"
	       "smallest throughput effect decided in a trial's time.\n\n"
	       "  --trials N       trials of each kind (default 5)\n"
	       "  --workload W     echo (default) or proxy\n"
	       "  --equal-load F   the efficiency verdict's rate, a fraction (0: none)\n"
	       "  --json           the figures as JSON on stdout:\n"
	       "                   {aa: {trials, false_winners, efficiency: {trials,\n"
	       "                   false_winners}}, ab: {trials, detected, known_us, measured_us,\n"
	       "                   measured_total_us, efficiency: {trials, detected}},\n"
	       "                   smallest_effect_pct, ...}\n\n"
	       "example:\n"
	       "  ringside validate --trials 20\n");
}

/* Runs argv with stdout and stderr into log; its exit status, or -1. */
static int run_child(char *const *argv, const char *log)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The per-round differences twin - base of a CPU figure; median, NaN without
 * pairs. User CPU is the ticks' user split (the only user/system split there
 * is); total CPU the scheduler's ns per request (server.cpu_ns_per_request,
 * every thread), or in older files the ticks' user + system.
 */
static double cpu_diff(const json_t *doc, bool total)
{
	const json_t *cells = json_object_get(doc, "cells"), *base = NULL, *twin = NULL, *c;
	double d[256];
	int n = 0;
	size_t i, j, k;

	json_array_foreach(cells, i, c)
	{
		if (doc_cell_equal_load(c))
			continue; /* the closed-loop cells: the figure as before equal load */
		if (!strcmp(doc_str(c, "model"), "epoll"))
			base = c;
		else if (!strcmp(doc_str(c, "model"), "twin"))
			twin = c;
	}
	if (!base || !twin)
		return NAN;
	json_array_foreach(json_object_get(base, "runs"), j, c)
	{
		const json_t *t;
		double rb, rt, xb = 0, xt = 0, p, q;

		if (!doc_num(c, "round", &rb) || strcmp(doc_str(c, "status"), "ok") ||
		    json_is_true(json_object_get(c, "probed")))
			continue;
		json_array_foreach(json_object_get(twin, "runs"), k, t)
		{
			if (n >= 256 || !doc_num(t, "round", &rt) || rt != rb ||
			    strcmp(doc_str(t, "status"), "ok") ||
			    json_is_true(json_object_get(t, "probed")))
				continue;
			if (!doc_num(c, "server.cpu_us_per_request.user", &p) ||
			    !doc_num(t, "server.cpu_us_per_request.user", &q))
				break;
			xb = p;
			xt = q;
			if (total && doc_num(c, "server.cpu_ns_per_request", &p) &&
			    doc_num(t, "server.cpu_ns_per_request", &q)) {
				xb = p / 1e3;
				xt = q / 1e3;
			} else if (total) {
				if (doc_num(c, "server.cpu_us_per_request.system", &p))
					xb += p;
				if (doc_num(t, "server.cpu_us_per_request.system", &q))
					xt += q;
			}
			d[n++] = xt - xb;
			break;
		}
	}
	return stats_median(d, n);
}

/* A verdict of results.json between epoll and the twin. */
static void read_verdict(const json_t *v, struct val_verdict *w)
{
	double lo, hi;

	w->ok = true;
	w->decision = !strcmp(doc_str(v, "decision"), "winner")	      ? "winner"
		      : !strcmp(doc_str(v, "decision"), "equivalent") ? "equivalent"
								      : "cannot-tell";
	w->base_wins = !strcmp(doc_str(v, "winner"), "epoll");
	w->ratio = w->halfwidth_pct = NAN;
	if (doc_num(v, "ratio.estimate", &lo))
		w->ratio = !strcmp(doc_str(v, "a"), "epoll") ? lo : 1 / lo;
	if (json_array_size(doc_get(v, "ratio.ci95")) == 2) {
		lo = json_number_value(json_array_get(doc_get(v, "ratio.ci95"), 0));
		hi = json_number_value(json_array_get(doc_get(v, "ratio.ci95"), 1));
		w->halfwidth_pct = (sqrt(hi / lo) - 1) * 100;
	}
}

/* dir is short: the mkdtemp name below. */
static void trial(const struct val_opts *o, bool ab, int k, const char *dir, struct val_trial *t)
{
	char exe[4096], twin[4096 + 128], conns[24], rounds[24], dur[32], out[64], log[80],
	    path[96], equal[32], work[40];
	json_t *doc, *list, *v;
	json_error_t err;
	double t0 = now_s();
	size_t i;

	memset(t, 0, sizeof(*t));
	t->halfwidth_pct = t->user_us = t->total_us = NAN;
	snprintf(exe, sizeof(exe), "%s/ringside", fs_exe_dir());
	/* the arguments ringside gives its own model (servers/ours.c), and the known work */
	bool proxy = !strcmp(o->workload, "proxy");

	snprintf(work, sizeof(work), " --work-us %lu", o->work_us);
	snprintf(twin, sizeof(twin),
		 "twin=%s/ringside-%s --model epoll --port {port} --cpus {cpus}%s%s", fs_exe_dir(),
		 proxy ? "proxy" : "echo",
		 proxy ? " --upstream {upstream} --threads {threads}" : "", ab ? work : "");
	snprintf(conns, sizeof(conns), "%lu", o->conns);
	snprintf(rounds, sizeof(rounds), "%lu", o->rounds);
	snprintf(dur, sizeof(dur), "%g", o->duration_s);
	snprintf(equal, sizeof(equal), "%g", o->equal_load);
	snprintf(out, sizeof(out), "%.40s/%s-%d", dir, ab ? "ab" : "aa", k);
	snprintf(log, sizeof(log), "%s.log", out);
	char *argv[] = {exe,
			"run",
			"--workload",
			(char *)o->workload,
			"--models",
			"epoll,twin",
			"--server",
			twin,
			"--connections",
			conns,
			"--repeat",
			rounds,
			"--duration",
			dur,
			"--warmup",
			"0.2",
			"--probes",
			"off",
			"--quiet",
			"--out",
			out,
			NULL,
			NULL,
			NULL};

	if (o->equal_load > 0) {
		argv[sizeof(argv) / sizeof(argv[0]) - 3] = "--equal-load";
		argv[sizeof(argv) / sizeof(argv[0]) - 2] = equal;
	}
	if (run_child(argv, log) != 0) {
		snprintf(t->reason, sizeof(t->reason), "ringside run failed: see %s", log);
		return;
	}
	t->wall_s = now_s() - t0;
	snprintf(path, sizeof(path), "%s/results.json", out);
	doc = json_load_file(path, 0, &err);
	if (!doc) {
		snprintf(t->reason, sizeof(t->reason), "%s: %.300s", path, err.text);
		return;
	}
	list = verdict_list(doc);
	json_array_foreach(list, i, v)
	{
		bool thr = !strcmp(doc_str(v, "basis"), "throughput");
		struct val_verdict w;

		if (!thr && strcmp(doc_str(v, "basis"), "efficiency"))
			continue;
		read_verdict(v, &w);
		if (thr && !t->ok) {
			t->ok = true;
			t->decision = w.decision;
			t->base_wins = w.base_wins;
			t->ratio = w.ratio;
			t->halfwidth_pct = w.halfwidth_pct;
			snprintf(t->reason, sizeof(t->reason), "%s", doc_str(v, "reason"));
		} else if (!thr && !t->eff.ok) {
			t->eff = w;
		}
	}
	t->user_us = cpu_diff(doc, false);
	t->total_us = cpu_diff(doc, true);
	json_decref(list);
	json_decref(doc);
	if (!t->ok)
		snprintf(t->reason, sizeof(t->reason), "no verdict in %s", path);
}

static int remove_tree(const char *dir)
{
	char *argv[] = {"/bin/rm", "-rf", (char *)dir, NULL};

	return run_child(argv, "/dev/null");
}

int cmd_validate(int argc, char **argv)
{
	static const struct option longopts[] = {{"trials", required_argument, NULL, 't'},
						 {"work-us", required_argument, NULL, 'w'},
						 {"connections", required_argument, NULL, 'c'},
						 {"rounds", required_argument, NULL, 'r'},
						 {"duration", required_argument, NULL, 'd'},
						 {"equal-load", required_argument, NULL, 'e'},
						 {"workload", required_argument, NULL, 'W'},
						 {"json", no_argument, NULL, 'j'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct val_opts o = {.workload = "echo",
			     .trials = 5,
			     .conns = 100,
			     .rounds = 8,
			     .work_us = 1,
			     .duration_s = 0.5,
			     .equal_load = 0.5};
	static struct val_trial aa[VAL_MAX_TRIALS], ab[VAL_MAX_TRIALS];
	double user[VAL_MAX_TRIALS], total[VAL_MAX_TRIALS], hw[2 * VAL_MAX_TRIALS], wall = 0;
	int c, li = 0, false_winners = 0, detected = 0, nu = 0, nt = 0, nh = 0, failed = 0;
	int eff_trials = 0, eff_false = 0, eff_detected = 0;
	char dir[] = "/tmp/ringside-validate-XXXXXX";

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, &li)) != -1) {
		int bad = 0;

		switch (c) {
		case 't':
			bad = parse_uint(optarg, &o.trials, 1, VAL_MAX_TRIALS);
			break;
		case 'w':
			bad = parse_uint(optarg, &o.work_us, 1, 100000);
			break;
		case 'c':
			bad = parse_uint(optarg, &o.conns, 1, 100000);
			break;
		case 'r':
			bad = parse_uint(optarg, &o.rounds, 3, 1000);
			break;
		case 'd':
			bad = parse_double(optarg, &o.duration_s, 0.05, 3600);
			break;
		case 'e':
			bad = parse_double(optarg, &o.equal_load, 0, 0.95);
			break;
		case 'W':
			if (strcmp(optarg, "echo") && strcmp(optarg, "proxy")) {
				LOG_ERR("validate: --workload must be echo or proxy, not %s",
					optarg);
				return RS_EXIT_USAGE;
			}
			o.workload = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			usage(stdout);
			return RS_EXIT_OK;
		default:
			usage(stderr);
			return RS_EXIT_USAGE;
		}
		if (bad) {
			LOG_ERR("validate: bad value for --%s: %s", longopts[li].name, optarg);
			return RS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		LOG_ERR("validate: unexpected argument %s", argv[optind]);
		return RS_EXIT_USAGE;
	}
	if (!mkdtemp(dir)) {
		PLOG_ERR("validate: cannot make a temporary directory");
		return RS_EXIT_FAIL;
	}
	for (unsigned long i = 0; i < o.trials; i++) {
		trial(&o, false, (int)i, dir, &aa[i]);
		trial(&o, true, (int)i, dir, &ab[i]);
		if (!aa[i].ok || !ab[i].ok) {
			LOG_ERR("validate: trial %lu: %s", i + 1,
				!aa[i].ok ? aa[i].reason : ab[i].reason);
			failed++;
			continue;
		}
		false_winners += !strcmp(aa[i].decision, "winner");
		detected += !strcmp(ab[i].decision, "winner") && ab[i].base_wins;
		if (aa[i].eff.ok && ab[i].eff.ok) {
			eff_trials++;
			eff_false += !strcmp(aa[i].eff.decision, "winner");
			eff_detected +=
			    !strcmp(ab[i].eff.decision, "winner") && ab[i].eff.base_wins;
		}
		if (isfinite(ab[i].user_us))
			user[nu++] = ab[i].user_us;
		if (isfinite(ab[i].total_us))
			total[nt++] = ab[i].total_us;
		/* the resolution: the CI half-widths of both kinds (the effect shifts, not widens)
		 */
		if (isfinite(aa[i].halfwidth_pct))
			hw[nh++] = aa[i].halfwidth_pct;
		if (isfinite(ab[i].halfwidth_pct))
			hw[nh++] = ab[i].halfwidth_pct;
		wall += aa[i].wall_s;
		if (!o.json)
			fprintf(
			    stderr,
			    "trial %lu: A/A %s (epoll/twin %.3f ±%.1f%%), A/B %s (epoll/twin %.3f "
			    "±%.1f%%; twin +%.2f us user, +%.2f us total)\n",
			    i + 1, aa[i].decision, aa[i].ratio, aa[i].halfwidth_pct, ab[i].decision,
			    ab[i].ratio, ab[i].halfwidth_pct, ab[i].user_us, ab[i].total_us);
		if (!o.json && aa[i].eff.ok && ab[i].eff.ok)
			fprintf(stderr,
				"  at equal load: A/A %s (epoll/twin CPU %.3f ±%.1f%%), A/B %s "
				"(%.3f ±%.1f%%)\n",
				aa[i].eff.decision, aa[i].eff.ratio, aa[i].eff.halfwidth_pct,
				ab[i].eff.decision, ab[i].eff.ratio, ab[i].eff.halfwidth_pct);
	}
	remove_tree(dir);
	if (failed == (int)o.trials)
		return RS_EXIT_FAIL;
	unsigned long done = o.trials - (unsigned long)failed;
	double mu = stats_median(user, nu), mt = stats_median(total, nt), se = stats_median(hw, nh);
	double trial_s = done ? wall / (double)done : NAN;

	if (o.json) {
		json_t *j =
		    json_pack("{s:{s:I, s:i}, s:{s:I, s:i, s:I, s:o, s:o}, s:o, s:o, s:I, s:I, "
			      "s:f}",
			      "aa", "trials", (json_int_t)done, "false_winners", false_winners,
			      "ab", "trials", (json_int_t)done, "detected", detected, "known_us",
			      (json_int_t)o.work_us, "measured_us",
			      isfinite(mu) ? json_real(mu) : json_null(), "measured_total_us",
			      isfinite(mt) ? json_real(mt) : json_null(), "smallest_effect_pct",
			      isfinite(se) ? json_real(se) : json_null(), "trial_s",
			      isfinite(trial_s) ? json_real(trial_s) : json_null(), "connections",
			      (json_int_t)o.conns, "rounds", (json_int_t)o.rounds, "duration_s",
			      o.duration_s);

		json_object_set_new(j, "workload", json_string(o.workload));

		if (o.equal_load > 0) {
			json_object_set_new(json_object_get(j, "aa"), "efficiency",
					    json_pack("{s:i, s:i}", "trials", eff_trials,
						      "false_winners", eff_false));
			json_object_set_new(json_object_get(j, "ab"), "efficiency",
					    json_pack("{s:i, s:i}", "trials", eff_trials,
						      "detected", eff_detected));
			json_object_set_new(j, "equal_load", json_real(o.equal_load));
		}
		json_dumpf(j, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(j);
	} else {
		printf("A/A (epoll vs its twin): %d false winner%s in %lu trials\n", false_winners,
		       false_winners == 1 ? "" : "s", done);
		printf("A/B (twin --work-us %lu): detected in %d of %lu trials\n", o.work_us,
		       detected, done);
		if (o.equal_load > 0) {
			printf("at equal load (%g of the lower closed-loop median), server CPU per "
			       "request: A/A %d false winner%s, A/B detected in %d, of %d trials\n",
			       o.equal_load, eff_false, eff_false == 1 ? "" : "s", eff_detected,
			       eff_trials);
		}
		printf("twin's extra CPU per request: user %.2f us (known %lu us), total %.2f us\n",
		       mu, o.work_us, mt);
		if (isfinite(se))
			printf("%s, %lu connections: differences of %.1f%% or more are decided in "
			       "about %.0f s here (%lu rounds of %g s)\n",
			       o.workload, o.conns, se, trial_s, o.rounds, o.duration_s);
		else
			printf("%s, %lu connections: no trial gave an interval in %lu rounds\n",
			       o.workload, o.conns, o.rounds);
	}
	return RS_EXIT_OK;
}
