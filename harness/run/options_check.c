/*
 * The options of `ringside run` that are checked against each other or the
 * suite once getopt is done (options_int.h): the model and connection lists,
 * the suite's settings, the size axis, the sweep, --churn and --work-us, the
 * CPU layout and the remote load generators. Each exits 2 with one line.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "options_int.h"
#include "remote.h"
#include "log.h"
#include "models.h"
#include "cpus.h"
#include "net.h"
#include "opts.h"

/* Splits a model list into o->models (strings point into a static copy). */
void options_models(struct run_opts *o, const char *arg)
{
	static char buf[512];
	char *save = NULL, *tok;

	if (strlen(arg) >= sizeof(buf) || !*arg || arg[strlen(arg) - 1] == ',' || *arg == ',' ||
	    strstr(arg, ",,"))
		usage_error("invalid --models '%s': expected e.g. epoll,uring", arg);
	strcpy(buf, arg);
	o->nmodels = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!workloads_model_find_with(tok, o->workload->model_flag)) {
			char list[256];

			models_join(o->workload->model_flag, 0, ", ", list, sizeof(list));
			usage_error("unknown model '%s' for workload %s (models: %s%s)", tok,
				    o->workload->name, list,
				    o->nservers ? ", and the --server ones" : "");
		}
		for (int i = 0; i < o->nmodels; i++)
			if (!strcmp(o->models[i], tok))
				usage_error("model '%s' given twice in --models", tok);
		if (o->nmodels == RS_MAX_MODELS)
			usage_error("too many models in --models (at most %d)", RS_MAX_MODELS);
		o->models[o->nmodels++] = tok;
	}
}

void options_conns(struct run_opts *o, const char *arg)
{
	if (parse_uint_list(arg, o->conns, RS_MAX_CONNS, &o->nconns, 1, 100000))
		usage_error("invalid --connections '%s': expected up to %d comma-separated "
			    "counts from 1 to 100000",
			    arg, RS_MAX_CONNS);
}

void options_apply_suite(struct run_opts *o, const struct run_suite *s)
{
	char models[256];

	o->workload = s->workload;
	run_suite_models(s, models, sizeof(models));
	options_models(o, models);
	options_conns(o, s->conns);
	o->size = o->sizes[0] = s->size;
	o->nsizes = 1;
	o->duration_s = s->duration_s;
	o->warmup_s = s->warmup_s;
	o->repeat = s->repeat;
	o->max_repeat = s->max_repeat;
}

/* --client-host/--client-exec and what goes with them; after the rest is parsed. */
void options_remote(struct run_opts *o, struct remote_set *rs)
{
	unsigned char addr[16];
	char why[200];

	if (o->server_addr && inet_pton(AF_INET, o->server_addr, addr) != 1 &&
	    inet_pton(AF_INET6, o->server_addr, addr) != 1)
		usage_error("invalid --server-addr '%s': expected this machine's IPv4 or IPv6 "
			    "address",
			    o->server_addr);
	if (!rs->n) {
		if (rs->nssh_opts || rs->remote_load)
			usage_error("--ssh-option and --remote-load need --client-host or "
				    "--client-exec");
		return;
	}
	if (!o->server_addr)
		usage_error("--client-host/--client-exec need --server-addr ADDR: the address "
			    "of this machine the load generators dial");
	for (int i = 0; i < o->nmodels; i++)
		if (workloads_model_find(o->models[i])->flags & MODEL_PEER)
			usage_error(
			    "model %s listens on 127.0.0.1 only: --client-host/--client-exec "
			    "need ringside's own servers",
			    o->models[i]);
	for (int i = 0; i < o->nconns; i++)
		if (o->conns[i] < (unsigned long)rs->n)
			usage_error(
			    "--connections %lu cannot be divided between %d load generators",
			    o->conns[i], rs->n);
	if (o->rate > 0 && o->rate < rs->n)
		usage_error("--rate %g cannot be divided between %d load generators", o->rate,
			    rs->n);
	rs->server_addr = o->server_addr;
	if (remote_finish(rs, why, sizeof(why)))
		usage_error("%s", why);
	o->remote = rs;
}

static void parse_rates(struct run_opts *o, const char *arg)
{
	char buf[512], *save = NULL, *tok, *end;

	if (strlen(arg) >= sizeof(buf) || !*arg || strstr(arg, ",,") || *arg == ',' ||
	    arg[strlen(arg) - 1] == ',')
		usage_error("invalid --rates '%s': expected auto or e.g. 1000,2000,4000", arg);
	strcpy(buf, arg);
	o->nrates = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		double r = strtod(tok, &end);

		if (*end || !(r >= 1 && r <= 1e9))
			usage_error("invalid rate '%s' in --rates: expected 1 to 1e9 req/s", tok);
		if (o->nrates == RUN_MAX_RATES)
			usage_error("too many rates in --rates (at most %d)", RUN_MAX_RATES);
		if (o->nrates && r <= o->rates[o->nrates - 1])
			usage_error("--rates must rise: %g after %g", r, o->rates[o->nrates - 1]);
		o->rates[o->nrates++] = r;
	}
}

/* The size axis (--payload/--body LIST): o->sizes, o->size its first. */
void options_sizes(struct run_opts *o, const char *sizes)
{
	bool echo = o->workload == &rs_workload_echo;
	unsigned long max = echo ? 1ul << 20 : 16ul << 20;

	if (parse_uint_list(sizes, o->sizes, RUN_MAX_SIZES, &o->nsizes, 1, max))
		usage_error("invalid --%s '%s': expected up to %d comma-separated sizes "
			    "from 1 to %lu bytes",
			    echo ? "payload" : "body", sizes, RUN_MAX_SIZES, max);
	o->size = o->sizes[0];
}

/* --sweep, --rates, --slo-p99-us (sweep: the option's or the suite's). */
void options_sweep(struct run_opts *o, const char *sweep, const char *rates, const char *slo)
{
	if (sweep && strcmp(sweep, "rate"))
		usage_error("invalid --sweep '%s': expected rate", sweep);
	o->sweep_rate = sweep != NULL;
	if ((rates || slo) && !o->sweep_rate)
		usage_error("--rates and --slo-p99-us need --sweep rate");
	if (o->sweep_rate && o->rate > 0)
		usage_error("--sweep rate chooses the rates itself: use --rates LIST, not --rate");
	if (o->sweep_rate && o->depth > 1)
		usage_error("--sweep rate is open loop: --depth cannot be combined with it");
	if (rates && strcmp(rates, "auto"))
		parse_rates(o, rates);
	if (slo)
		o->slo_p99_us = opt_double("slo-p99-us", slo, 1, 60e6);
}

/* --churn and --work-us against the other options and the models. */
void options_knobs(const struct run_opts *o)
{
	if (o->churn && o->depth > 1)
		usage_error("--churn sends one request per connection: --depth must be 1");
	for (int i = 0; o->work_us && i < o->nmodels; i++)
		if (workloads_model_find(o->models[i])->flags & MODEL_PEER)
			usage_error(
			    "--work-us is ringside's servers' knob: model %s cannot take it",
			    o->models[i]);
}

/* The CPU layout: server on CPU 0, everything else on the rest; one CPU is shared. */
void options_cpus(struct run_opts *o, const char *server_cpus, const char *client_cpus,
		  const char *sqpoll_cpu)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t both;

	CPU_ZERO(&o->server_cpus);
	CPU_ZERO(&o->client_cpus);
	if (ncpu < 1)
		ncpu = 1;
	CPU_SET(0, &o->server_cpus);
	for (long i = ncpu > 1 ? 1 : 0; i < ncpu && i < CPU_SETSIZE; i++)
		CPU_SET(i, &o->client_cpus);
	if (server_cpus)
		opt_cpus("server-cpus", server_cpus, &o->server_cpus);
	if (client_cpus)
		opt_cpus("client-cpus", client_cpus, &o->client_cpus);
	o->origin_cpus = o->client_cpus;
	o->sq_cpu = cpu_nth(&o->server_cpus, 0);
	if (sqpoll_cpu) {
		cpu_set_t one;

		o->sq_cpu = (int)opt_uint("sqpoll-cpu", sqpoll_cpu, 0, CPU_SETSIZE - 1);
		if (parse_cpu_list(sqpoll_cpu, &one))
			usage_error("invalid --sqpoll-cpu '%s': CPU %s does not exist", sqpoll_cpu,
				    sqpoll_cpu);
	}
	CPU_AND(&both, &o->server_cpus, &o->client_cpus);
	o->shared_cpu = CPU_COUNT(&both) > 0;
}
