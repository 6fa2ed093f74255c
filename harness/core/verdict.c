/*
 * Throughput verdicts between cells: CIs that do not overlap and cells that are
 * not client-bound, or no winner. Pure reading of the results document; see
 * verdict.h for the rule and docs/claims.md for where it is applied.
 */
#include <stdio.h>
#include <string.h>

#include "core/bound.h"
#include "core/verdict.h"

static const char *const rules[] = {
    [VERDICT_NONE] = "fewer than two models measured requests/s here",
    [VERDICT_WINNER] = "the winner's requests/s CI lies above the runner-up's and neither cell "
		       "is client-bound",
    [VERDICT_TIE] = "the requests/s CIs overlap, so neither cell is faster at 95%",
    [VERDICT_CLIENT_BOUND] = "a deciding cell is client-bound: its load generator, not the "
			     "server, set the rate",
};

const char *verdict_bound(const json_t *cell)
{
	return doc_str(cell, "bound");
}

bool verdict_client_bound(const json_t *cell)
{
	return bound_cell_client(cell);
}

bool verdict_noisy(const json_t *cell)
{
	return json_is_true(json_object_get(cell, "noisy"));
}

const char *verdict_kind_text(enum verdict_kind k)
{
	switch (k) {
	case VERDICT_WINNER:
		return "wins";
	case VERDICT_TIE:
		return "tie (CIs overlap)";
	case VERDICT_CLIENT_BOUND:
		return "cannot tell (client-bound)";
	default:
		return "no verdict";
	}
}

/* false when the cell has no requests/s median */
static bool side(const json_t *cell, struct verdict_side *s)
{
	memset(s, 0, sizeof(*s));
	if (!cell || !doc_fig(cell, "requests_per_sec", &s->median))
		return false;
	s->cell = cell;
	s->model = doc_str(cell, "model");
	if (!doc_ci(cell, "requests_per_sec", &s->lo, &s->hi, &s->exact)) {
		s->exact = false;
		if (!doc_range(cell, "requests_per_sec", &s->lo, &s->hi))
			s->lo = s->hi = s->median; /* one run: a point */
	}
	s->client_bound = verdict_client_bound(cell);
	s->noisy = verdict_noisy(cell);
	return true;
}

static void decide(struct verdict *v)
{
	const struct verdict_side *a = &v->best, *b = &v->runner_up;

	if (a->client_bound || b->client_bound)
		v->kind = VERDICT_CLIENT_BOUND;
	else if (a->lo <= b->hi && b->lo <= a->hi)
		v->kind = VERDICT_TIE;
	else
		v->kind = VERDICT_WINNER;
	v->rule = rules[v->kind];
}

static void context(struct verdict *v, const json_t *cell)
{
	v->workload = doc_str(cell, "workload");
	v->size = doc_cell_size(cell);
	v->conns = json_integer_value(json_object_get(cell, "connections"));
}

int verdict_pair(const json_t *a, const json_t *b, struct verdict *v)
{
	struct verdict_side t;

	memset(v, 0, sizeof(*v));
	v->kind = VERDICT_NONE;
	v->rule = rules[VERDICT_NONE];
	v->size = -1;
	if (a)
		context(v, a);
	v->candidates = side(a, &v->best) + side(b, &v->runner_up);
	if (!v->best.cell) {
		v->best = v->runner_up;
		memset(&v->runner_up, 0, sizeof(v->runner_up));
	}
	if (v->candidates < 2)
		return -1;
	if (v->runner_up.median > v->best.median)
		t = v->best, v->best = v->runner_up, v->runner_up = t;
	decide(v);
	return 0;
}

int verdict_best(const json_t *doc, const char *workload, long long size, long long conns,
		 struct verdict *v)
{
	json_t *cells = json_object_get(doc, "cells");
	struct verdict_side s;

	memset(v, 0, sizeof(*v));
	v->kind = VERDICT_NONE;
	v->rule = rules[VERDICT_NONE];
	v->workload = workload;
	v->size = size;
	v->conns = conns;
	for (size_t i = 0; i < json_array_size(cells); i++) {
		const json_t *c = json_array_get(cells, i);

		/* Open-loop cells (a rate, a sweep point) serve what they are sent: no race. */
		if (strcmp(doc_str(c, "workload"), workload) || doc_cell_size(c) != size ||
		    json_integer_value(json_object_get(c, "connections")) != conns ||
		    json_is_number(json_object_get(c, "rate")) || !doc_cell_ok(c) || !side(c, &s))
			continue;
		v->candidates++;
		if (!v->best.cell || s.median > v->best.median) {
			v->runner_up = v->best;
			v->best = s;
		} else if (!v->runner_up.cell || s.median > v->runner_up.median) {
			v->runner_up = s;
		}
	}
	if (v->candidates < 2)
		return -1;
	decide(v);
	return 0;
}

static int side_text(const struct verdict_side *s, bool unit, char *buf, size_t len)
{
	return snprintf(buf, len, "%s %.0f%s (%s %.0f–%.0f%s%s)", s->model, s->median,
			unit ? " req/s" : "", s->exact ? "95% CI" : "min–max", s->lo, s->hi,
			s->client_bound ? "; client-bound" : "", s->noisy ? "; noisy" : "");
}

int verdict_format(const struct verdict *v, char *buf, size_t len)
{
	char where[160], a[200], b[200];

	if (v->size >= 0)
		snprintf(where, sizeof(where), "%s %lldB, %lld connection%s", v->workload, v->size,
			 v->conns, v->conns == 1 ? "" : "s");
	else
		snprintf(where, sizeof(where), "%s, %lld connection%s", v->workload, v->conns,
			 v->conns == 1 ? "" : "s");
	if (v->kind == VERDICT_NONE)
		return snprintf(buf, len, "%s: no verdict: %s", where, v->rule);
	side_text(&v->best, true, a, sizeof(a));
	side_text(&v->runner_up, false, b, sizeof(b));
	if (v->kind == VERDICT_WINNER)
		return snprintf(buf, len, "%s: %s wins: %s vs %s; rule: %s", where, v->best.model,
				a, b, v->rule);
	return snprintf(buf, len, "%s: %s: %s vs %s; rule: %s", where, verdict_kind_text(v->kind),
			a, b, v->rule);
}
