/*
 * Unit test of the comparisons that drive --repeat auto and the equal-load
 * phase, on synthetic documents: the stop rule of a compared cell
 * (stop_after_compared, with stolen rounds replaced up to max_rounds), the state of a cell's
 * comparisons at an interim look (verdict_cell_state: open until the interim alpha decides),
 * efficiency verdicts at a common rate (less server CPU per request wins; skipped sends veto), and
 * the common rate (equal_load_rate). No processes. Exit 0 pass, 1 fail.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/doc.h"
#include "core/equal.h"
#include "core/estimate.h"
#include "core/stop.h"
#include "core/summary.h"
#include "core/verdict.h"

static bool is(const char *got, const char *want)
{
	return want ? got && !strcmp(got, want) : !got;
}

/* A run of round r: requests/s and server CPU per request (user + system). */
static json_t *run(int r, double rps, double cpu_us)
{
	return json_pack("{s:s,s:b,s:i,s:f,s:f,s:{s:{s:f,s:f,s:f}}}", "status", "ok", "probed",
			 false, "round", r, "requests_per_sec", rps, "duration_s", 0.5, "server",
			 "cpu_us_per_request", "user", cpu_us / 2, "system", cpu_us / 2, "sqpoll",
			 0.0);
}

/*
 * A cell of model at 100 connections (rate <= 0: closed loop) with n rounds:
 * requests/s rps and CPU cpu_us, times a round effect shared by every cell and
 * a small alternating wobble of its own.
 */
static json_t *cell(const char *model, double rate, int n, double rps, double cpu_us)
{
	json_t *runs = json_array();

	for (int r = 0; r < n; r++) {
		double round = 1 + 0.2 * sin(r * 1.7), own = 1 + 0.01 * ((r * 7 + model[0]) % 3);

		json_array_append_new(runs, run(r, rps * round * own, cpu_us * round * own));
	}
	return json_pack("{s:s,s:s,s:I,s:I,s:o,s:s,s:o}", "workload", "echo", "model", model,
			 "connections", (json_int_t)100, "payload_bytes", (json_int_t)64, "rate",
			 rate > 0 ? json_real(rate) : json_null(), "status", "ok", "runs", runs);
}

static json_t *doc_of(json_t *cells)
{
	json_t *doc = json_pack("{s:s,s:{s:s,s:i},s:o}", "schema", "ringside/1", "config", "repeat",
				"auto", "max_repeat", 20, "cells", cells);

	summary_update_doc(doc);
	return doc;
}

static const json_t *cell_at(const json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "cells"), i);
}

static void test_stop_compared(void)
{
	struct stop_rule aut = {.max_repeat = 6, .min_rounds = 3, .target_ci_pct = 5};
	struct stop_rule fixed = {.repeat = 4, .max_repeat = 10, .min_rounds = 3};

	/* Uncompared: its own CI, as stop_after */
	CHECK(is(stop_after_compared(&aut, 3, 0, 1, STOP_CMP_NONE), "ci"));
	CHECK(is(stop_after_compared(&aut, 6, 0, 20, STOP_CMP_NONE), "max"));
	/* An open comparison goes on past a narrow CI of its own, to the cap */
	CHECK(is(stop_after_compared(&aut, 3, 0, 1, STOP_CMP_OPEN), NULL));
	CHECK(is(stop_after_compared(&aut, 5, 0, 0.1, STOP_CMP_OPEN), NULL));
	CHECK(is(stop_after_compared(&aut, 6, 0, 0.1, STOP_CMP_OPEN), "cap"));
	/* Decided: stops, but never before the minimum rounds */
	CHECK(is(stop_after_compared(&aut, 2, 0, 50, STOP_CMP_DECIDED), NULL));
	CHECK(is(stop_after_compared(&aut, 3, 0, 50, STOP_CMP_DECIDED), "decided"));
	CHECK(is(stop_after_compared(&aut, 6, 0, 50, STOP_CMP_DECIDED), "cap"));
	/* --repeat N ignores comparisons */
	CHECK(is(stop_after_compared(&fixed, 3, 0, 50, STOP_CMP_DECIDED), NULL));
	CHECK(is(stop_after_compared(&fixed, 4, 2, 50, STOP_CMP_OPEN), "fixed"));
	/*
	 * Stolen rounds do not count toward a compared cell's cap, up to max_rounds
	 * (9 at a cap of 6); an uncompared cell's cap counts every round
	 */
	aut.max_rounds = stop_max_rounds(aut.max_repeat);
	CHECK(aut.max_rounds == 9);
	CHECK(is(stop_after_compared(&aut, 6, 2, 0.1, STOP_CMP_OPEN), NULL));
	CHECK(is(stop_after_compared(&aut, 7, 2, 0.1, STOP_CMP_OPEN), NULL));
	CHECK(is(stop_after_compared(&aut, 8, 2, 0.1, STOP_CMP_OPEN), "cap"));
	CHECK(is(stop_after_compared(&aut, 8, 5, 0.1, STOP_CMP_OPEN), NULL));
	CHECK(is(stop_after_compared(&aut, 9, 9, 0.1, STOP_CMP_OPEN), "cap"));
	CHECK(is(stop_after_compared(&aut, 7, 2, 0.1, STOP_CMP_DECIDED), "decided"));
	CHECK(is(stop_after_compared(&aut, 6, 2, 20, STOP_CMP_NONE), "max"));
}

/* doc's efficiency verdict at 50k req/s: uring, with 8 / 10 of epoll's CPU per request. */
static void check_efficiency(const json_t *doc)
{
	json_t *v = verdict_doc(doc), *eff = NULL, *vj;
	double ratio = NAN;
	size_t i;

	json_array_foreach(v, i, vj)
	{
		if (!strcmp(doc_str(vj, "basis"), "efficiency"))
			eff = vj;
	}
	CHECKF(eff && is(doc_str(eff, "winner"), "uring"), "efficiency verdict %s",
	       eff ? doc_str(eff, "reason") : "missing");
	CHECK(eff && json_number_value(json_object_get(eff, "rate")) == 50e3);
	/* a is the better (uring), b epoll */
	CHECKF(eff && doc_num(eff, "ratio.estimate", &ratio) && fabs(ratio - 0.8) < 0.03,
	       "efficiency ratio %.3f", ratio);
	json_decref(v);
}

static void test_cell_state(void)
{
	json_t *d6, *d12, *d12eq, *dsolo;

	/* uring 30% faster in every round: 6 rounds cannot reach alpha 0.001 (2/64) */
	d6 = doc_of(json_pack("[o,o,o]", cell("epoll", 0, 6, 100e3, 10),
			      cell("uring", 0, 6, 130e3, 8), cell("blocking", 0, 6, 60e3, 12)));
	CHECK(verdict_cell_state(d6, cell_at(d6, 0), EST_INTERIM_ALPHA) == STOP_CMP_OPEN);
	CHECK(verdict_cell_state(d6, cell_at(d6, 1), EST_INTERIM_ALPHA) == STOP_CMP_OPEN);
	/* blocking is neither the best, the runner-up nor of the headline pair */
	CHECK(verdict_cell_state(d6, cell_at(d6, 2), EST_INTERIM_ALPHA) == STOP_CMP_NONE);
	/* the last look's alpha (0.05) decides the same 6 rounds */
	CHECK(verdict_cell_state(d6, cell_at(d6, 0), EST_ALPHA) == STOP_CMP_DECIDED);
	/* 12 rounds: 2/4096 < 0.001, decided at an interim look */
	d12 = doc_of(
	    json_pack("[o,o]", cell("epoll", 0, 12, 100e3, 10), cell("uring", 0, 12, 130e3, 8)));
	CHECK(verdict_cell_state(d12, cell_at(d12, 0), EST_INTERIM_ALPHA) == STOP_CMP_DECIDED);
	CHECK(verdict_cell_state(d12, cell_at(d12, 1), EST_INTERIM_ALPHA) == STOP_CMP_DECIDED);
	/* the same models at a common rate: compared on CPU, uring's 20% less wins */
	d12eq = doc_of(json_pack("[o,o,o,o]", cell("epoll", 0, 12, 100e3, 10),
				 cell("uring", 0, 12, 130e3, 8), cell("epoll", 50e3, 12, 50e3, 10),
				 cell("uring", 50e3, 12, 50e3, 8)));
	check_efficiency(d12eq);
	CHECK(verdict_cell_state(d12eq, cell_at(d12eq, 2), EST_INTERIM_ALPHA) == STOP_CMP_DECIDED);
	/*
	 * Runs that skipped sends did not serve the load: left out. 11 pairs still
	 * decide at 0.001 (2/2048); 10 do not (2/1024).
	 */
	for (int r = 4; r < 6; r++) {
		json_object_set_new(json_array_get(json_object_get(cell_at(d12eq, 3), "runs"), r),
				    "load", json_pack("{s:i}", "skipped", 3));
		summary_update_doc(d12eq);
		CHECKF(verdict_cell_state(d12eq, cell_at(d12eq, 2), EST_INTERIM_ALPHA) ==
			   (r == 4 ? STOP_CMP_DECIDED : STOP_CMP_OPEN),
		       "%d runs left out", r - 3);
	}
	/* one model alone has nothing to be compared with */
	dsolo = doc_of(json_pack("[o]", cell("epoll", 0, 6, 100e3, 10)));
	CHECK(verdict_cell_state(dsolo, cell_at(dsolo, 0), EST_INTERIM_ALPHA) == STOP_CMP_NONE);
	json_decref(d6);
	json_decref(d12);
	json_decref(d12eq);
	json_decref(dsolo);
}

static void test_equal_rate(void)
{
	json_t *doc =
	    doc_of(json_pack("[o,o,o]", cell("epoll", 0, 6, 100e3, 10),
			     cell("uring", 0, 6, 130e3, 8), cell("uring", 40e3, 6, 40e3, 8)));
	struct equal_load e;
	double lowest = NAN;

	doc_fig(cell_at(doc, 0), "requests_per_sec", &lowest);
	/* half the lowest closed-loop median (epoll's), whole requests/s */
	CHECK(equal_load_rate(doc, "echo", 64, 100, 0.5, &e) == 0);
	CHECKF(e.rate == round(lowest / 2) && is(e.lowest_model, "epoll") && e.models == 2,
	       "rate %.1f of %s (%d models), lowest median %.1f", e.rate, e.lowest_model, e.models,
	       lowest);
	/* no group at another count or size; no rate at fraction 0 */
	CHECK(equal_load_rate(doc, "echo", 64, 10, 0.5, &e) == -1 && e.rate == 0);
	CHECK(equal_load_rate(doc, "echo", 4096, 100, 0.5, &e) == -1);
	CHECK(equal_load_rate(doc, "echo", 64, 100, 0, &e) == -1);
	/* a failed cell does not count: one model left is no comparison */
	json_object_set_new((json_t *)cell_at(doc, 1), "status", json_string("failed"));
	CHECK(equal_load_rate(doc, "echo", 64, 100, 0.5, &e) == -1);
	json_decref(doc);
}

int main(void)
{
	test_stop_compared();
	test_cell_state();
	test_equal_rate();
	printf("test_compare: %d checks\n", check_count);
	return check_exit();
}
