/*
 * A rate sweep's curve rules (curve.h): stop, knee, refinement bracket and
 * the client's lag, over points read from the cells' summaries.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/curve.h"
#include "core/doc.h"
#include "core/figs.h"

struct curve_point curve_point_of(const json_t *cell, double offered, json_int_t index)
{
	struct curve_point p = {.offered = offered, .index = index};

	p.ok = doc_cell_ok(cell) && doc_fig(cell, figs[FIG_REQUESTS_PER_SEC].name, &p.achieved) &&
	       doc_fig(cell, figs[FIG_LATENCY_P99].name, &p.p99);
	p.client = json_is_true(json_object_get(cell, "client_bound_schedule"));
	p.skipped = !strcmp(doc_cell_status(cell), "skipped");
	return p;
}

const char *curve_stop(const struct curve_point *p, double slo_p99_us, int *over)
{
	if (!p->ok)
		return p->skipped ? "skipped" : "failed";
	/* The client first: a client that lagged also explains a shortfall. */
	if (p->client)
		return "client";
	if (p->achieved < CURVE_SAT_FRAC * p->offered)
		return "saturation";
	*over = slo_p99_us > 0 && p->p99 > slo_p99_us ? *over + 1 : 0;
	return *over >= CURVE_SLO_RUNS ? "slo" : NULL;
}

double curve_p99_floor(const struct curve_point *pts, int n)
{
	double floor = INFINITY;

	for (int i = 0; i < n; i++)
		if (pts[i].ok && !pts[i].client && pts[i].p99 < floor)
			floor = pts[i].p99;
	return floor;
}

/*
 * (A rule on the floor alone read noise as the knee: on a 2-core VM p99 at low
 * load jumps 2-3x from point to point.)
 */
bool curve_knee_ok(const struct curve_point *p, double floor, double slo_p99_us)
{
	double limit = slo_p99_us > 0 ? slo_p99_us : CURVE_KNEE_X * floor;

	return p->ok && !p->client && p->achieved >= CURVE_SAT_FRAC * p->offered && p->p99 <= limit;
}

int curve_knee(const struct curve_point *pts, int n, double slo_p99_us)
{
	double floor = curve_p99_floor(pts, n);
	int knee = -1;

	for (int i = 0; i < n && isfinite(floor); i++)
		if (curve_knee_ok(&pts[i], floor, slo_p99_us) &&
		    (knee < 0 || pts[i].offered >= pts[knee].offered))
			knee = i;
	return knee;
}

double curve_capacity_at_slo(const struct curve_point *pts, int n, double slo_p99_us)
{
	double cap = -1;

	for (int i = 0; i < n && slo_p99_us > 0; i++)
		if (pts[i].ok && !pts[i].client && pts[i].p99 <= slo_p99_us &&
		    pts[i].achieved > cap)
			cap = pts[i].achieved;
	return cap;
}

bool curve_bracket(const struct curve_point *pts, int n, double slo_p99_us, double *good,
		   double *bad)
{
	double floor = curve_p99_floor(pts, n);

	*good = 0;
	*bad = INFINITY;
	if (!isfinite(floor))
		return false;
	for (int i = 0; i < n; i++)
		if (curve_knee_ok(&pts[i], floor, slo_p99_us) && pts[i].offered > *good)
			*good = pts[i].offered;
	for (int i = 0; i < n; i++)
		if (!curve_knee_ok(&pts[i], floor, slo_p99_us) && !pts[i].client &&
		    pts[i].offered > *good && pts[i].offered < *bad)
			*bad = pts[i].offered;
	return *good > 0 && isfinite(*bad);
}

bool curve_client_lagged(double lag_p99_us, double connections, double rate)
{
	return lag_p99_us > CURVE_LAG_FRAC * connections / rate * 1e6;
}

bool curve_refine_update(const struct curve_point *p, double floor, double slo_p99_us, double *good,
			 double *bad)
{
	if (p->client || !p->ok)
		return false;
	if (curve_knee_ok(p, floor, slo_p99_us))
		*good = p->offered;
	else
		*bad = p->offered;
	return true;
}

static int cmp_offered(const void *a, const void *b)
{
	const struct curve_point *x = a, *y = b;

	return (x->offered > y->offered) - (x->offered < y->offered);
}

void curve_finish(json_t *curve, struct curve_point *pts, int n, double slo_p99_us,
		  const char *ended_by)
{
	json_t *idx = json_array();
	double floor = curve_p99_floor(pts, n), cap;
	int knee;

	qsort(pts, n, sizeof(*pts), cmp_offered);
	for (int i = 0; i < n; i++)
		json_array_append_new(idx, json_integer(pts[i].index));
	knee = curve_knee(pts, n, slo_p99_us);
	cap = curve_capacity_at_slo(pts, n, slo_p99_us);
	json_object_set_new(curve, "points", idx);
	json_object_set_new(curve, "p99_floor_us",
			    isfinite(floor) ? json_real(floor) : json_null());
	json_object_set_new(curve, "knee",
			    knee >= 0 ? json_pack("{s:f,s:f,s:f,s:I}", "offered", pts[knee].offered,
						  "achieved", pts[knee].achieved, "p99_us",
						  pts[knee].p99, "cell", pts[knee].index)
				      : json_null());
	json_object_set_new(curve, "capacity_at_slo", cap >= 0 ? json_real(cap) : json_null());
	json_object_set_new(curve, "ended_by", json_string(ended_by));
}
