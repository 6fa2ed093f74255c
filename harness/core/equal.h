/*
 * Equal load (docs/claims.md, "Efficiency at equal load"): after the closed-loop
 * rounds of a group (workload, size, connection count), every model is run
 * open-loop at one common offered rate that all of them sustain, a fraction of
 * the lowest closed-loop median among the group's ok cells, and compared by
 * server CPU per request at that rate. This file picks the rate from the
 * document; run/ makes and drives the cells. Pure reading of the document.
 */
#ifndef RS_EQUAL_H
#define RS_EQUAL_H

#include <jansson.h>

/* The suites' fraction of the lowest closed-loop median (--equal-load). */
#define EQUAL_LOAD_FRACTION 0.5

struct equal_load {
	double rate;	   /* the common offered rate, requests/s */
	double lowest_rps; /* the lowest closed-loop median of the group */
	const char *lowest_model;
	int models; /* ok closed-loop cells in the group */
};

/*
 * The common rate of the group (workload, size: -1 for cells without one,
 * connections) in doc at fraction of its lowest closed-loop requests/s median.
 * 0, or -1 (e zeroed) when fewer than two ok closed-loop cells have a median.
 */
int equal_load_rate(const json_t *doc, const char *workload, long long size, long long conns,
		    double fraction, struct equal_load *e);
/* e as doc.equal_load.groups[] holds it (docs/results.md). */
json_t *equal_load_json(const char *workload, long long size, long long conns, double fraction,
			const struct equal_load *e);

#endif
