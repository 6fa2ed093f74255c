/*
 * The suites of `ringside run` and `ringside list`, and the workloads with
 * their models (from the table in lib/models.h), as --help and list print them.
 */
#include <stdio.h>
#include <string.h>

#include "core/equal.h"
#include "options.h"
#include "models.h"

/* A suite's models are its workload's entries of lib/models.h without MODEL_OPT_IN. */
const struct run_suite run_suites[] = {
    {.name = "smoke",
     .help = "a quick check that every model works (a few seconds)",
     .workload = &rs_workload_echo,
     .conns = "10",
     .size = 64,
     .duration_s = 1,
     .warmup_s = 0.3,
     .repeat = 1,
     .max_repeat = 1},
    {.name = "echo",
     .help = "the echo sweep: the echo models across connection counts (default)",
     .workload = &rs_workload_echo,
     .conns = "1,10,100,1000",
     .size = 64,
     .duration_s = 0.5,
     .warmup_s = 0.25,
     .repeat = 0,
     .max_repeat = 8,
     .equal_load = EQUAL_LOAD_FRACTION},
    {.name = "tinygate",
     .help = "the TinyGate story: the proxy models beside nginx and haproxy",
     .workload = &rs_workload_proxy,
     .conns = "1,10,100,1000",
     .size = 4096,
     .duration_s = 0.5,
     .warmup_s = 0.25,
     .repeat = 0,
     .max_repeat = 8,
     .equal_load = EQUAL_LOAD_FRACTION},
    {.name = "curve",
     .help = "latency against throughput: open-loop rate sweeps of the echo models",
     .workload = &rs_workload_echo,
     .conns = "100",
     .size = 64,
     .duration_s = 1,
     .warmup_s = 0.3,
     .repeat = 1,
     .max_repeat = 1,
     .sweep = "rate",
     .slo_p99_us = 1000},
    {.name = "curve-proxy",
     .help = "latency against throughput: rate sweeps of the proxy models, nginx, haproxy",
     .workload = &rs_workload_proxy,
     .conns = "100",
     .size = 4096,
     .duration_s = 1,
     .warmup_s = 0.3,
     .repeat = 1,
     .max_repeat = 1,
     .sweep = "rate",
     .slo_p99_us = 5000},
    {.name = NULL},
};

void run_suite_models(const struct run_suite *s, char *buf, size_t len)
{
	models_join(s->workload->model_flag, MODEL_OPT_IN, ",", buf, len);
}

const struct rs_workload *const run_workloads[] = {&rs_workload_echo, &rs_workload_proxy, NULL};

void run_print_models(FILE *f)
{
	for (const struct rs_workload *const *w = run_workloads; *w; w++) {
		fprintf(f, "\nmodels (%s workload):\n", (*w)->name);
		for (const struct model_info *m = models_table; m->name; m++)
			if (m->flags & (*w)->model_flag)
				fprintf(f, "  %-18s %s%s\n", m->name, m->help,
					m->flags & MODEL_OPT_IN ? " (only when named)" : "");
	}
}

const struct rs_workload *run_find_workload(const char *name)
{
	for (const struct rs_workload *const *w = run_workloads; *w; w++)
		if (!strcmp((*w)->name, name))
			return *w;
	return NULL;
}

const struct run_suite *run_find_suite(const char *name)
{
	for (const struct run_suite *s = run_suites; s->name; s++)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}
