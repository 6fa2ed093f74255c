/*
 * What bound a run or a cell: the one rule, used by the writer (each run's and
 * each cell's bound), by verdicts, the run table, report/ and calibrate. A side
 * (server or load generator) whose CPU utilisation reaches BOUND_UTIL set the
 * pace; the cell's bound is read from the medians of its unprobed runs'
 * utilisations (docs/results.md, "Cell summary").
 */
#ifndef RS_BOUND_H
#define RS_BOUND_H

#include <stdbool.h>

#include <jansson.h>

/* A side this busy (share of one CPU per thread, 0..1) bound the run. */
#define BOUND_UTIL 0.9

/* The utilisation reached BOUND_UTIL (false for NaN). */
bool bound_busy(double utilisation);
/*
 * "both", "server", "client" or "neither" from the two utilisations; NULL when
 * either is unknown (negative or NaN).
 */
const char *bound_name(double server, double client);
/* The bound the utilisations give as a JSON string, or null when unknown. */
json_t *bound_json(double server, double client);
/*
 * The cell's load generator set the pace: cell.bound is "client" or "both"; in
 * an older file without cell.bound, its summary.client_cpu_utilisation reaches
 * BOUND_UTIL.
 */
bool bound_cell_client(const json_t *cell);

#endif
