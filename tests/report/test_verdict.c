/*
 * Unit test of harness/core/verdict.[ch], the API report/ (table, claims, compare) shares:
 * the verdict fixture's three connection counts give a winner, a tie and a
 * client-bound "cannot tell"; old-shape files fall back to min-max. No kernel
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
	CHECK(v.rule && *v.rule && strstr(line, v.rule), "%lld: rule not in the line", conns);
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
		  "echo 64B, 10 connections: uring-sqpoll wins: uring-sqpoll ");
	check_one(doc, 100, VERDICT_TIE, "uring-sqpoll",
		  "echo 64B, 100 connections: tie (CIs overlap): ");
	check_one(doc, 1000, VERDICT_CLIENT_BOUND, "uring-sqpoll",
		  "echo 64B, 1000 connections: cannot tell (client-bound): ");
	verdict_best(doc, "echo", 64, 1000, &v);
	CHECK(v.best.client_bound && !v.runner_up.client_bound, "client-bound side wrong");

	/* nothing there: -1 and a rule that says why */
	CHECK(verdict_best(doc, "echo", 64, 7, &v) == -1 && v.kind == VERDICT_NONE && v.rule,
	      "no cells at 7 connections");
	CHECK(verdict_best(doc, "proxy", 64, 10, &v) == -1, "no proxy cells");

	/* the pair form: order of arguments does not matter */
	CHECK(verdict_pair(find(doc, "uring", 10), find(doc, "epoll", 10), &v) == 0 &&
		  v.kind == VERDICT_WINNER && v.best.cell == find(doc, "uring", 10),
	      "pair uring > epoll at 10");
	CHECK(verdict_pair(find(doc, "epoll", 10), NULL, &v) == -1 && v.candidates == 1,
	      "pair with one cell");

	/* old shape: no ci95, so min-max (3 runs, -3%..+2%): 160000 vs 151000 are clear */
	CHECK(verdict_best(old, "echo", 64, 100, &v) == 0, "old shape at 100");
	CHECK(!v.best.exact && v.best.lo < v.best.median && v.best.hi > v.best.median,
	      "old shape: range %g..%g around %g", v.best.lo, v.best.hi, v.best.median);
	CHECK(v.kind == VERDICT_WINNER && !strcmp(v.best.model, "uring-sqpoll"),
	      "old shape at 100: %s %s", verdict_kind_text(v.kind), v.best.model);
	/* epoll 40000 (38800..40800) and uring 42000 (40740..42840) at 1 connection overlap */
	CHECK(verdict_pair(find(old, "epoll", 1), find(old, "uring", 1), &v) == 0 &&
		  v.kind == VERDICT_TIE && !strcmp(v.best.model, "uring"),
	      "old shape epoll vs uring at 1: %s", verdict_kind_text(v.kind));
	/* a failed cell is not a candidate: blocking@1000 failed, uring-sqpoll skipped */
	CHECK(verdict_best(old, "echo", 64, 1000, &v) == 0 && v.candidates == 2,
	      "old shape at 1000: %d candidates", v.candidates);

	json_decref(doc);
	json_decref(old);
	printf("test_verdict: %s\n", failures ? "FAIL" : "ok");
	return failures ? 1 : 0;
}
