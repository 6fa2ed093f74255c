/*
 * Inside the options of `ringside run`: the row type of options.c's table,
 * what options_gen.c makes from the rows, and the checks options.c applies
 * once getopt is done (options_check.c), in the order run_parse_opts calls
 * them. Each check exits 2 with one line on a bad value or combination.
 */
#ifndef RS_OPTIONS_INT_H
#define RS_OPTIONS_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "options.h"

struct remote_set;

/* How a row's value is parsed at getopt time. */
enum run_opt_parse {
	PARSE_KEEP, /* kept for given(): applied once the suite is known (run_parse_opts) */
	PARSE_FLAG, /* the bool at off becomes true */
	PARSE_UINT, /* the unsigned long at off, in [min, max] */
	PARSE_REAL, /* the double at off, in [min, max] */
	PARSE_STR,  /* the string at off */
	PARSE_FN,   /* parse(o, arg) */
};

/* How a row's field is recorded in config, unless record says it. */
enum run_opt_rec {
	REC_NONE,
	REC_UINT,     /* the unsigned long at rec_off */
	REC_REAL,     /* the double at rec_off */
	REC_REAL_POS, /* the double at rec_off, null unless above 0 */
	REC_BOOL,     /* the bool at rec_off */
	REC_STR,      /* the string at rec_off, null when NULL */
};

/*
 * One option of `ringside run`, or (name NULL) a config key no option sets.
 * key: where the document records it, a dotted path ("config.connections",
 * "config.cpu_layout.server", "suite"), NULL if nowhere. config's value for key
 * is record(o), or the field at rec_off as rec says; neither where another
 * row's value holds it.
 */
struct run_opt {
	const char *name;
	const char *arg; /* the value's name in --help; NULL: the option takes none */
	int short_name;
	const char *help; /* lines split at \n; {suites} and {workloads} are filled in */
	enum run_opt_parse parse;
	size_t off;
	double min, max;
	void (*parse_fn)(struct run_opts *o, const char *arg);
	const char *key;
	enum run_opt_rec rec;
	size_t rec_off;
	json_t *(*record)(const struct run_opts *o);
};

/* The rows (options.c), at most RUN_OPTS_MAX. */
#define RUN_OPTS_MAX 64
extern const struct run_opt run_opt_rows[];
extern const int run_opt_nrows;

/*
 * options_gen.c: getopt over argv by the rows. Each value goes into its field or
 * through its parser now, or (PARSE_KEEP) into kept[row] (RUN_OPTS_MAX entries,
 * NULL when not given). --help prints the usage and exits 0.
 */
void options_getopt(struct run_opts *o, int argc, char **argv, const char **kept);
/* The kept value of --name (the last given), NULL if none; name must be a row's. */
const char *options_given(const char *const *kept, const char *name);
/* The names of the suites (or the workloads), split by sep, into buf. */
void options_join_names(char *buf, size_t len, bool suites, const char *sep);

/* The suite's workload, models, connections, size, duration, warmup and repetitions. */
void options_apply_suite(struct run_opts *o, const struct run_suite *s);
/* --models LIST into o->models (known to the workload, none twice). */
void options_models(struct run_opts *o, const char *arg);
/* --connections LIST into o->conns. */
void options_conns(struct run_opts *o, const char *arg);
/* The CPU layout: the server on CPU 0, the rest on the others, unless given. */
void options_cpus(struct run_opts *o, const char *server_cpus, const char *client_cpus,
		  const char *sqpoll_cpu);
/* The size axis (--payload/--body LIST): o->sizes, o->size its first. */
void options_sizes(struct run_opts *o, const char *sizes);
/* --sweep (the option's or the suite's), --rates, --slo-p99-us, against --rate/--depth. */
void options_sweep(struct run_opts *o, const char *sweep, const char *rates, const char *slo);
/* --churn and --work-us against the other options and the models. */
void options_knobs(const struct run_opts *o);
/* --client-host/--client-exec (in rs) and what goes with them; o->remote = rs when any. */
void options_remote(struct run_opts *o, struct remote_set *rs);

#endif
