/*
 * Unit test of harness/core/verdict.[ch], the API report/ (table, claims, compare) shares:
 * the verdict fixture's three connection counts give a winner, an equivalence
 * (paired, 0.3% apart in every round) and a client-bound winner that pairing
 * lets decide, which unpaired (--order sequential) cannot tell; the verdicts
 * array's JSON shape; efficiency by the scheduler's ns when both cells have it,
 * else by ticks; old-shape files (no rounds) use two samples. No kernel
 * features. Usage: test_verdict FIXTURES_DIR. Exit 0 pass, 1 fail.
 */
#include <stdio.h>
#include <string.h>

#include "core/verdict.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

static json_t *load(const char *dir, const char *name)
{
	char path[4096];
	json_error_t err;
	json_t *doc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	doc = json_load_file(path, 0, &err);
	CHECK(doc, "%s: %s", path, err.text);
	return doc;
}

static json_t *find(json_t *doc, const char *model, long long conns)
{
	json_t *cells = json_object_get(doc, "cells");

	for (size_t i = 0; i < json_array_size(cells); i++) {
		json_t *c = json_array_get(cells, i);

		if (json_integer_value(json_object_get(c, "connections")) == conns &&
		    !strcmp(doc_str(c, "model"), model))
			return c;
	}
	CHECK(0, "no %s cell at %lld connections", model, conns);
	return NULL;
}

static void check_one(json_t *doc, long long conns, enum verdict_kind want, const char *best,
		      const char *start)
{
	struct verdict v;
	char line[1024];
	int rc = verdict_best(doc, "echo", 64, conns, &v);

	verdict_format(&v, line, sizeof(line));
	printf("%s\n", line);
	CHECK(rc == 0 && v.candidates == 3, "%lld: rc %d, %d candidates", conns, rc, v.candidates);
	CHECK(v.kind == want, "%lld: kind %s", conns, verdict_kind_text(v.kind));
	CHECK(v.best.model && !strcmp(v.best.model, best), "%lld: best %s", conns, v.best.model);
	CHECK(v.runner_up.model && !strcmp(v.runner_up.model, "uring"), "%lld: runner-up %s", conns,
	      v.runner_up.model);
	CHECK(v.best.exact && v.runner_up.exact, "%lld: CIs not order-statistic", conns);
	CHECK(v.best.median > v.runner_up.median, "%lld: best below runner-up", conns);
	CHECK(v.rule && *v.rule && strstr(line, v.rule), "%lld: reason not in the line", conns);
	CHECK(!strncmp(line, start, strlen(start)), "%lld: line starts %.60s", conns, line);
}

int main(int argc, char **argv)
{
	json_t *doc, *old;
	struct verdict v;

	if (argc != 2) {
		fprintf(stderr, "usage: test_verdict FIXTURES_DIR\n");
		return 2;
	}
	doc = load(argv[1], "verdict.json");
	old = load(argv[1], "echo.json");
	if (!doc || !old)
		return 1;
	check_one(doc, 10, VERDICT_WINNER, "uring-sqpoll",
		  "echo 64B, 10 connections: uring-sqpoll wins on throughput: 7.");
	check_one(doc, 100, VERDICT_EQUIVALENT, "uring-sqpoll",
		  "echo 64B, 100 connections: uring-sqpoll and uring equivalent on throughput: "
		  "ratio 1.003");
	check_one(doc, 1000, VERDICT_WINNER, "uring-sqpoll",
		  "echo 64B, 1000 connections: uring-sqpoll wins on throughput: 7.9% faster");
	verdict_best(doc, "echo", 64, 1000, &v);
	CHECK(v.best.client_bound && !v.runner_up.client_bound, "client-bound side wrong");
	CHECK(v.est.paired && v.est.n == 6 && strstr(v.reason, "client-bound"),
	      "1000: paired %d n %d: %s", v.est.paired, v.est.n, v.reason);
	verdict_best(doc, "echo", 64, 10, &v);
	CHECK(v.est.paired && v.est.n == 6 && v.est.lo > 1.07 && v.est.hi < 1.08 &&
		  !strcmp(v.winner, "uring-sqpoll"),
	      "10: ratio %g [%g, %g]", v.est.ratio, v.est.lo, v.est.hi);

	/*
	 * The array: per connection count the best against the runner-up, with the
	 * documented keys, then uring against epoll (the headline pair) where those are
	 * not the two.
	 */
	json_t *list = verdict_doc(doc), *o = json_array_get(list, 0);
	const json_t *h = json_array_get(list, 1);
	CHECK(json_array_size(list) == 6, "%zu verdicts", json_array_size(list));
	CHECK(h && !strcmp(doc_str(h, "a"), "uring") && !strcmp(doc_str(h, "b"), "epoll") &&
		  json_integer_value(json_object_get(h, "connections")) == 10 &&
		  !strcmp(doc_str(h, "decision"), "winner") &&
		  !strcmp(doc_str(h, "winner"), "uring"),
	      "the uring-against-epoll verdict");
	CHECK(!strcmp(doc_str(o, "basis"), "throughput") &&
		  !strcmp(doc_str(o, "decision"), "winner") &&
		  !strcmp(doc_str(o, "winner"), "uring-sqpoll") &&
		  !strcmp(doc_str(o, "a"), "uring-sqpoll") && !strcmp(doc_str(o, "b"), "uring") &&
		  json_is_null(json_object_get(o, "rate")) &&
		  json_integer_value(json_object_get(o, "size_bytes")) == 64 &&
		  json_array_size(doc_get(o, "ratio.ci95")) == 2 &&
		  json_is_number(doc_get(o, "ratio.estimate")) && *doc_str(o, "reason"),
	      "verdict object shape");
	json_decref(list);

	/* unpaired, a client-bound cell cannot tell: its rate is its load generator's */
	json_object_set_new(json_object_get(doc, "config"), "order", json_string("sequential"));
	check_one(doc, 1000, VERDICT_CANNOT_TELL, "uring-sqpoll",
		  "echo 64B, 1000 connections: cannot tell uring-sqpoll from uring on throughput");
	verdict_best(doc, "echo", 64, 1000, &v);
	CHECK(!v.est.paired && strstr(v.reason, "client-bound"), "unpaired: %s", v.reason);
	/* unpaired and not client-bound: the two samples still decide at 10 (6 runs a side) */
	verdict_best(doc, "echo", 64, 10, &v);
	CHECK(!v.est.paired && v.kind == VERDICT_WINNER, "unpaired at 10: %s", v.reason);

	/* efficiency: two open-loop cells at one rate, by server CPU per request */
	json_t *eff = json_pack("{s:{s:s}, s:[]}", "config", "order", "interleaved", "cells");
	for (int m = 0; m < 2; m++) {
		json_t *runs = json_array();
		for (int r = 0; r < 6; r++) {
			double cpu = (m ? 10.0 : 9.0) * (1 + 0.05 * (r % 3));
			json_array_append_new(
			    runs, json_pack("{s:s, s:b, s:i, s:f, s:{s:{s:f, s:f}}}", "status",
					    "ok", "probed", 0, "round", r, "requests_per_sec",
					    20000.0, "server", "cpu_us_per_request", "user",
					    cpu / 3, "system", cpu * 2 / 3));
		}
		json_array_append_new(
		    json_object_get(eff, "cells"),
		    json_pack("{s:s, s:s, s:i, s:i, s:f, s:s, s:o, s:{s:{s:f}}}", "workload",
			      "echo", "model", m ? "epoll" : "uring", "connections", 100,
			      "payload_bytes", 64, "rate", 20000.0, "status", "ok", "runs", runs,
			      "summary", "cpu_us_per_request", "total", "median", m ? 10.5 : 9.45));
	}
	list = verdict_doc(eff);
	o = json_array_get(list, 0);
	char line[1024];
	verdict_line(o, line, sizeof(line));
	printf("%s\n", line);
	CHECK(json_array_size(list) == 1 && !strcmp(doc_str(o, "basis"), "efficiency") &&
		  json_number_value(json_object_get(o, "rate")) == 20000 &&
		  !strcmp(doc_str(o, "winner"), "uring"),
	      "efficiency verdict: %s", line);
	CHECK(
	    strstr(line, "uring wins on efficiency: 10.0% less server CPU per request than epoll"),
	    "efficiency line %s", line);
	json_decref(list);
	/* a curve's lag mark alone does not veto: both cells met the same client */
	json_object_set_new(json_array_get(json_object_get(eff, "cells"), 1),
			    "client_bound_schedule", json_true());
	CHECK(verdict_efficiency(eff, "echo", 64, 100, 20000, &v) == 0 && v.kind == VERDICT_WINNER,
	      "lag mark only: %s", v.reason);
	/* a run that skipped sends is left out: 5 pairs are too few for a 95% interval */
	json_object_set_new(
	    json_array_get(
		json_object_get(json_array_get(json_object_get(eff, "cells"), 1), "runs"), 2),
	    "load", json_pack("{s:i}", "skipped", 1));
	CHECK(verdict_efficiency(eff, "echo", 64, 100, 20000, &v) == 0 &&
		  v.kind == VERDICT_CANNOT_TELL &&
		  strstr(v.reason, "1 run that skipped sends left out"),
	      "schedule not kept: %s", v.reason);
	/*
	 * A run that lost over 5% of the CPU to steal is left out too, and its round
	 * with it; one that stole 5% or less stays (the skip above cleared, 6 pairs).
	 */
	json_t *uruns = json_object_get(json_array_get(json_object_get(eff, "cells"), 0), "runs");
	json_object_del(
	    json_array_get(
		json_object_get(json_array_get(json_object_get(eff, "cells"), 1), "runs"), 2),
	    "load");
	for (int r = 0; r < 6; r++)
		json_object_set_new(json_array_get(uruns, r), "noise",
				    json_pack("{s:f}", "steal_pct", r == 4 ? 40.0 : 5.0));
	CHECK(verdict_efficiency(eff, "echo", 64, 100, 20000, &v) == 0 &&
		  v.kind == VERDICT_CANNOT_TELL && v.est.paired && v.est.n == 5 &&
		  strstr(v.reason, "1 run with over 5% of the CPU stolen left out"),
	      "stolen run: n %d: %s", v.est.n, v.reason);
	json_object_set_new(json_array_get(uruns, 4), "noise",
			    json_pack("{s:f}", "steal_pct", 5.0));
	CHECK(verdict_efficiency(eff, "echo", 64, 100, 20000, &v) == 0 &&
		  v.kind == VERDICT_WINNER && v.est.n == 6 && !strstr(v.reason, "stolen"),
	      "steal at 5%%: n %d: %s", v.est.n, v.reason);
	json_decref(eff);

	/*
	 * efficiency from the scheduler's ns (server.cpu_ns_per_request): used when both
	 * cells have it, and here it reverses the ticks' order (epoll 8% less CPU)
	 */
	for (int both = 0; both < 2; both++) {
		json_t *d = json_pack("{s:{s:s}, s:[]}", "config", "order", "interleaved", "cells");
		for (int m = 0; m < 2; m++) {
			json_t *runs = json_array();
			bool ns = m || both;
			for (int r = 0; r < 6; r++) {
				double cpu = (m ? 10.0 : 9.0) * (1 + 0.05 * (r % 3));
				json_t *run = json_pack("{s:s, s:b, s:i, s:{s:{s:f, s:f}}}",
							"status", "ok", "probed", 0, "round", r,
							"server", "cpu_us_per_request", "user",
							cpu / 3, "system", cpu * 2 / 3);
				if (ns)
					json_object_set_new(
					    json_object_get(run, "server"), "cpu_ns_per_request",
					    json_real((m ? 9.2e3 : 1e4) * (1 + 0.05 * (r % 3))));
				json_array_append_new(runs, run);
			}
			json_t *c = json_pack(
			    "{s:s, s:s, s:i, s:i, s:f, s:s, s:o, s:{s:{s:f}}}", "workload", "echo",
			    "model", m ? "epoll" : "uring", "connections", 100, "payload_bytes", 64,
			    "rate", 20000.0, "status", "ok", "runs", runs, "summary",
			    "cpu_us_per_request", "total", "median", m ? 10.5 : 9.45);
			if (ns)
				json_object_set_new(
				    json_object_get(c, "summary"), "cpu_ns_per_request",
				    json_pack("{s:f}", "median", m ? 9660.0 : 1.05e4));
			json_array_append_new(json_object_get(d, "cells"), c);
		}
		list = verdict_doc(d);
		o = json_array_get(list, 0);
		verdict_line(o, line, sizeof(line));
		printf("%s\n", line);
		if (both)
			CHECK(!strcmp(doc_str(o, "figure"), "cpu_ns_per_request") &&
				  !strcmp(doc_str(o, "winner"), "epoll") &&
				  strstr(line, "8.0% less server CPU per request than uring"),
			      "ns efficiency verdict: %s (%s)", line, doc_str(o, "figure"));
		else /* one cell without it (an older file's): the ticks decide, as before */
			CHECK(!strcmp(doc_str(o, "figure"), "cpu_us_per_request.total") &&
				  !strcmp(doc_str(o, "winner"), "uring"),
			      "mixed efficiency verdict: %s (%s)", line, doc_str(o, "figure"));
		json_decref(list);
		json_decref(d);
	}

	/* nothing there: -1 and a rule that says why */
	CHECK(verdict_best(doc, "echo", 64, 7, &v) == -1 && v.kind == VERDICT_NONE && v.rule,
	      "no cells at 7 connections");
	CHECK(verdict_best(doc, "proxy", 64, 10, &v) == -1, "no proxy cells");

	/* the pair form: order of arguments does not matter */
	CHECK(verdict_pair(doc, find(doc, "uring", 10), find(doc, "epoll", 10), &v) == 0 &&
		  v.kind == VERDICT_WINNER && v.best.cell == find(doc, "uring", 10),
	      "pair uring > epoll at 10");
	CHECK(verdict_pair(doc, find(doc, "epoll", 10), NULL, &v) == -1 && v.candidates == 1,
	      "pair with one cell");

	/* old shape: no ci95 and no rounds: two samples of 3 runs give no interval yet */
	CHECK(verdict_best(old, "echo", 64, 100, &v) == 0, "old shape at 100");
	CHECK(!v.best.exact && v.best.lo < v.best.median && v.best.hi > v.best.median,
	      "old shape: range %g..%g around %g", v.best.lo, v.best.hi, v.best.median);
	CHECK(v.kind == VERDICT_CANNOT_TELL && !strcmp(v.best.model, "uring-sqpoll") &&
		  !v.est.paired && !v.est.ci && v.more > 0,
	      "old shape at 100: %s %s: %s", verdict_kind_text(v.kind), v.best.model, v.reason);
	CHECK(verdict_pair(old, find(old, "epoll", 1), find(old, "uring", 1), &v) == 0 &&
		  v.kind == VERDICT_CANNOT_TELL && !strcmp(v.best.model, "uring"),
	      "old shape epoll vs uring at 1: %s", verdict_kind_text(v.kind));
	/* a failed cell is not a candidate: blocking@1000 failed, uring-sqpoll skipped */
	CHECK(verdict_best(old, "echo", 64, 1000, &v) == 0 && v.candidates == 2,
	      "old shape at 1000: %d candidates", v.candidates);

	json_decref(doc);
	json_decref(old);
	printf("test_verdict: %s\n", failures ? "FAIL" : "ok");
	return failures ? 1 : 0;
}
