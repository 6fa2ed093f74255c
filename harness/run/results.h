/*
 * The results document (docs/results.md) as a run starts it: config, host
 * (host.null_syscall_ns measured here), probes, status. The cells' summaries
 * are core/summary.h; the atomic write is core/doc.h's doc_write.
 */
#ifndef RS_RESULTS_H
#define RS_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "options.h"

struct cell_plan;
/* The document's top level; probes_off is why the probes are off ("" when on). */
json_t *results_new(const struct run_opts *o, const struct cell_plan *plan, const char *probes_off,
		    const char *command);
/* status: "running", "complete", "interrupted"; sets finished_at unless running. */
void results_set_status(json_t *doc, const char *status);

#endif
