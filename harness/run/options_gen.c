/*
 * What the option rows of `ringside run` (options.c) make: getopt's table and
 * the loop over argv, --help, the config object and the rows' keys. Nothing
 * here names an option: a new one is a row in options.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "options.h"
#include "options_int.h"
#include "log.h"
#include "opts.h"

static const char run_usage_tail[] =
    "\n"
    "Giving --models, --connections or --workload without --suite runs suite\n"
    "\"custom\" with the echo suite's other settings (tinygate's for --workload proxy).\n"
    "Proxy cells start the origin (on the client CPUs), then the proxy, then the load\n"
    "generator in HTTP mode, which checks every status and body length.\n"
    "\n"
    "examples:\n"
    "  ringside run --suite smoke\n"
    "  ringside run --suite curve\n"
    "  ringside run --sweep rate --models epoll --work-us 100 --slo-p99-us 2000\n"
    "  ringside run --models epoll,uring --payload 64,1024 --repeat 1\n"
    "  ringside run --models epoll,uring --connections 1,100 --repeat 5\n"
    "  ringside run --suite tinygate --connections 10 --duration 1 --repeat 1\n"
    "  ringside run --workload proxy --models epoll,nginx --body 16384 --origin nginx\n"
    "  ringside run --models epoll --server socat-echo='socat\n"
    "      TCP-LISTEN:{port},bind={host},reuseaddr,fork EXEC:cat'\n"
    "  ringside run --suite tinygate --server tg='/opt/tinygate {config}' \\\n"
    "      --server-config tg=proxy.ini.in --host-header localhost   (docs/tinygate.md)\n"
    "  ringside run --suite echo --server-cpus 0 --client-cpus 1 --out results/mine\n"
    "  ringside run --models epoll --client-host me@load1 --client-host me@load2 \\\n"
    "      --server-addr 10.0.0.1\n";

const char *options_given(const char *const *kept, const char *name)
{
	for (int i = 0; i < run_opt_nrows; i++)
		if (run_opt_rows[i].name && !strcmp(run_opt_rows[i].name, name))
			return kept[i];
	LOG_ERR("internal: no option --%s", name);
	abort();
}

/* ---- --help, made from the rows ---- */

/* "a | b | c" of the suites or the workloads, for the {suites} and {workloads} of a help. */
void options_join_names(char *buf, size_t len, bool suites, const char *sep)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0;; i++) {
		const char *name = suites	      ? run_suites[i].name
				   : run_workloads[i] ? run_workloads[i]->name
						      : NULL;

		if (!name)
			break;
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", i ? sep : "", name);
	}
}

static void print_help_line(const char *line, size_t n)
{
	char suites[128], workloads[64];
	const char *p;

	options_join_names(suites, sizeof(suites), true, " | ");
	options_join_names(workloads, sizeof(workloads), false, " | ");
	while (n) {
		const char *sub = NULL;
		size_t skip = 0;

		p = memchr(line, '{', n);
		if (!p) {
			fwrite(line, 1, n, stdout);
			return;
		}
		fwrite(line, 1, p - line, stdout);
		n -= p - line;
		if (n >= 8 && !strncmp(p, "{suites}", 8))
			sub = suites, skip = 8;
		else if (n >= 11 && !strncmp(p, "{workloads}", 11))
			sub = workloads, skip = 11;
		else
			skip = 1;
		fputs(sub ? sub : "{", stdout);
		line = p + skip;
		n -= skip;
	}
}

static void print_usage(void)
{
	enum { COL = 24 };

	fputs("usage: ringside run [options]\n"
	      "\n"
	      "Runs every (model, connections) cell of a suite: a fresh pinned server per\n"
	      "repetition, the load generator on the client CPUs, /proc snapshots of the server\n"
	      "over the measured window. Writes results.json after every cell.\n"
	      "\n"
	      "options:\n",
	      stdout);
	for (int i = 0; i < run_opt_nrows; i++) {
		const struct run_opt *r = &run_opt_rows[i];
		const char *h = r->help;
		int w;

		if (!r->name)
			continue;
		if (r->short_name)
			w = printf("  -%c, --%s", r->short_name, r->name);
		else
			w = printf("  --%s%s%s", r->name, r->arg ? " " : "", r->arg ? r->arg : "");
		if (w > COL - 2)
			printf("\n%*s", COL, "");
		else
			printf("%*s", COL - w, "");
		for (;;) {
			const char *nl = strchr(h, '\n');

			print_help_line(h, nl ? (size_t)(nl - h) : strlen(h));
			putchar('\n');
			if (!nl)
				break;
			printf("%*s", COL, "");
			h = nl + 1;
		}
	}
	run_print_models(stdout);
	fputs(run_usage_tail, stdout);
}

/* ---- config, made from the rows ---- */

/* config's value for row r: its record, or its field as rec says. */
static json_t *record(const struct run_opt *r, const struct run_opts *o)
{
	const char *field = (const char *)o + r->rec_off;
	double v;

	if (r->record)
		return r->record(o);
	switch (r->rec) {
	case REC_UINT:
		return json_integer((json_int_t) * (const unsigned long *)field);
	case REC_REAL:
		return json_real(*(const double *)field);
	case REC_REAL_POS:
		v = *(const double *)field;
		return v > 0 ? json_real(v) : json_null();
	case REC_BOOL:
		return json_boolean(*(const bool *)field);
	case REC_STR:
		return *(const char *const *)field ? json_string(*(const char *const *)field)
						   : json_null();
	case REC_NONE:
		break;
	}
	return NULL;
}

json_t *run_config_json(const struct run_opts *o)
{
	json_t *cfg = json_object();

	for (int i = 0; i < run_opt_nrows; i++) {
		json_t *v = record(&run_opt_rows[i], o);

		if (v)
			json_object_set_new(cfg, run_opt_rows[i].key + strlen("config."), v);
	}
	return cfg;
}

json_t *run_option_keys(void)
{
	json_t *keys = json_object();

	for (int i = 0; i < run_opt_nrows; i++)
		if (run_opt_rows[i].name)
			json_object_set_new(keys, run_opt_rows[i].name,
					    run_opt_rows[i].key ? json_string(run_opt_rows[i].key)
								: json_null());
	return keys;
}

/* A row's value at getopt time: into its field, through its parser, or kept in *kept. */
static void parse_row(const struct run_opt *r, struct run_opts *o, const char *arg,
		      const char **kept)
{
	char *field = (char *)o + r->off;

	switch (r->parse) {
	case PARSE_KEEP:
		*kept = arg;
		break;
	case PARSE_FLAG:
		*(bool *)field = true;
		break;
	case PARSE_UINT:
		*(unsigned long *)field =
		    opt_uint(r->name, arg, (unsigned long)r->min, (unsigned long)r->max);
		break;
	case PARSE_REAL:
		*(double *)field = opt_double(r->name, arg, r->min, r->max);
		break;
	case PARSE_STR:
		*(const char **)field = arg;
		break;
	case PARSE_FN:
		r->parse_fn(o, arg);
		break;
	}
}

void options_getopt(struct run_opts *o, int argc, char **argv, const char **kept)
{
	struct option longopts[RUN_OPTS_MAX + 1];
	int n = 0, c;

	for (int i = 0; i < run_opt_nrows; i++)
		if (run_opt_rows[i].name)
			longopts[n++] = (struct option){
			    run_opt_rows[i].name,
			    run_opt_rows[i].arg ? required_argument : no_argument, NULL, 256 + i};
	longopts[n] = (struct option){NULL, 0, NULL, 0};
	for (int i = 0; i < run_opt_nrows; i++)
		kept[i] = NULL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		const struct run_opt *r;

		if (c == ':')
			usage_error("option %s needs a value", argv[optind - 1]);
		for (int i = 0; c < 256 && i < run_opt_nrows; i++)
			if (c == run_opt_rows[i].short_name)
				c = 256 + i;
		if (c < 256 || c >= 256 + run_opt_nrows)
			usage_error("unknown option '%s'", argv[optind - 1]);
		r = &run_opt_rows[c - 256];
		if (r->short_name == 'h') {
			print_usage();
			exit(RS_EXIT_OK);
		}
		parse_row(r, o, optarg, &kept[c - 256]);
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}
