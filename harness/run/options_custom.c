/*
 * The options of `ringside run` that bring outside servers and configs:
 * --server NAME=COMMAND, --server-config NAME=TEMPLATE and --peer-config
 * TOOL=FILE. Everything is checked here, at parse time, with one line and exit 2;
 * each --server becomes a MODEL_CUSTOM entry of the run's model list (workloads.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "log.h"
#include "models.h"

#define TEMPLATE_MAX (1 << 20)

/* The file's whole text (caller frees); exits 2 naming the option on failure. */
static char *read_template(const char *opt, const char *name, const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t n = 0;

	if (f) {
		buf = malloc(TEMPLATE_MAX + 1);
		n = buf ? fread(buf, 1, TEMPLATE_MAX + 1, f) : 0;
		if (!buf || ferror(f) || n > TEMPLATE_MAX) {
			free(buf);
			buf = NULL;
			errno = n > TEMPLATE_MAX ? EFBIG : EIO;
		}
		fclose(f);
	}
	if (!buf)
		usage_error("--%s %s: cannot read template %s: %s", opt, name, path,
			    strerror(errno));
	buf[n] = '\0';
	if (strlen(buf) != n)
		usage_error("--%s %s: template %s holds a NUL byte", opt, name, path);
	return realloc(buf, n + 1) ?: buf; /* give back the rest of the 1 MiB */
}

/*
 * Expands text with stand-in values, as a run would: exits 2 for a placeholder
 * this workload has no value for ({upstream} in an echo run, {config} without
 * --server-config).
 */
static void check_expands(const struct run_opts *o, const char *opt, const char *name,
			  const char *text, bool is_config, bool has_config)
{
	struct custom_vars v = {
	    .port = 1,
	    .host = "127.0.0.1",
	    .cpus = "0",
	    .threads = 1,
	    .upstream_host = o->workload->origin_bin ? "127.0.0.1" : NULL,
	    .upstream_port = 1,
	    .tmpdir = "/tmp",
	    .config = has_config ? "/tmp/config" : NULL,
	};
	char why[256];
	char *s;

	if (custom_check(text, is_config, why, sizeof(why)))
		usage_error("--%s %s: %s", opt, name, why);
	s = custom_expand(text, &v, why, sizeof(why));
	if (!s)
		usage_error("--%s %s: %s", opt, name, why);
	free(s);
}

/* --server-config's value: a path, or (holding a newline) the template itself. */
static const char *template_text(const char *opt, const char *name, const char *value)
{
	if (!*value)
		usage_error("--%s %s: empty template", opt, name);
	if (strchr(value, '\n')) {
		char *text = strdup(value); /* owned either way: run_custom_free frees it */

		if (!text)
			usage_error("--%s %s: out of memory", opt, name);
		return text;
	}
	return read_template(opt, name, value);
}

static void add_server(struct run_opts *o, const char *arg)
{
	struct custom_server *s = &o->servers[o->nservers];
	char why[256], help[160];
	const char *cmd;

	if (custom_split(arg, s->name, sizeof(s->name), &cmd, why, sizeof(why)))
		usage_error("invalid --server '%s': %s (want NAME='COMMAND')", arg, why);
	if (models_find(s->name))
		usage_error("--server %s: that is the name of a built-in model; choose another",
			    s->name);
	if (run_custom_server(o, s->name))
		usage_error("--server %s given twice", s->name);
	if (!cmd[strspn(cmd, " \t\n")])
		usage_error("--server %s: empty command", s->name);
	s->command = cmd;
	snprintf(help, sizeof(help), "--server: %.140s", cmd);
	if (workloads_model_add(s->name, help, MODEL_CUSTOM | o->workload->model_flag))
		usage_error("at most %d --server", CUSTOM_MAX);
	o->nservers++;
}

static void add_server_config(struct run_opts *o, const char *arg)
{
	struct custom_server *s;
	char name[CUSTOM_NAME_MAX], why[256];
	const char *value;

	if (custom_split(arg, name, sizeof(name), &value, why, sizeof(why)))
		usage_error("invalid --server-config '%s': %s (want NAME=TEMPLATE)", arg, why);
	s = (struct custom_server *)run_custom_server(o, name);
	if (!s)
		usage_error("--server-config %s: there is no --server %s", name, name);
	if (s->config_tmpl)
		usage_error("--server-config %s given twice", name);
	s->config_arg = value;
	s->config_tmpl = template_text("server-config", name, value);
	check_expands(o, "server-config", name, s->config_tmpl, true, false);
}

static void add_peer_config(struct run_opts *o, const char *arg)
{
	struct custom_peer *p = &o->peer_tmpls[o->npeer_tmpls];
	char name[CUSTOM_NAME_MAX], why[256], peers[64];
	const char *value;
	const struct model_info *m;

	if (custom_split(arg, name, sizeof(name), &value, why, sizeof(why)))
		usage_error("invalid --peer-config '%s': %s (want TOOL=FILE)", arg, why);
	m = models_find_with(name, MODEL_PEER);
	models_join(MODEL_PEER, 0, ", ", peers, sizeof(peers));
	if (!m)
		usage_error("--peer-config %s: not a peer (peers: %s)", name, peers);
	if (!(m->flags & o->workload->model_flag))
		usage_error("--peer-config %s: %s is not a model of the %s workload", name, name,
			    o->workload->name);
	if (run_peer_template(o, m->name))
		usage_error("--peer-config %s given twice", name);
	if (!*value || strchr(value, '\n'))
		usage_error("--peer-config %s: expected a file path", name);
	p->tool = m->name;
	p->file = value;
	p->text = read_template("peer-config", name, value);
	check_expands(o, "peer-config", name, p->text, true, false);
	o->npeer_tmpls++;
}

void run_custom_parse(struct run_opts *o, const struct run_custom_args *a)
{
	for (int i = 0; i < a->nservers; i++)
		add_server(o, a->servers[i]);
	for (int i = 0; i < a->nconfigs; i++)
		add_server_config(o, a->configs[i]);
	for (int i = 0; i < a->npeers; i++)
		add_peer_config(o, a->peers[i]);
	for (int i = 0; i < o->nservers; i++)
		check_expands(o, "server", o->servers[i].name, o->servers[i].command, false,
			      o->servers[i].config_tmpl != NULL);
}

void run_custom_models(struct run_opts *o)
{
	for (int i = 0; i < o->nservers; i++) {
		bool listed = false;

		for (int k = 0; k < o->nmodels && !listed; k++)
			listed = !strcmp(o->models[k], o->servers[i].name);
		if (listed)
			continue;
		if (o->nmodels == RS_MAX_MODELS)
			usage_error("too many models with --server (at most %d)", RS_MAX_MODELS);
		o->models[o->nmodels++] = o->servers[i].name;
	}
}

json_t *run_custom_servers_json(const struct run_opts *o)
{
	json_t *servers = json_array();

	for (int i = 0; i < o->nservers; i++) {
		const struct custom_server *s = &o->servers[i];

		json_array_append_new(
		    servers, json_pack("{s:s,s:s,s:o}", "name", s->name, "command", s->command,
				       "config_template",
				       s->config_arg ? json_string(s->config_arg) : json_null()));
	}
	return servers;
}

json_t *run_custom_peers_json(const struct run_opts *o)
{
	json_t *peers = json_array();

	for (int i = 0; i < o->npeer_tmpls; i++)
		json_array_append_new(peers, json_pack("{s:s,s:s}", "tool", o->peer_tmpls[i].tool,
						       "template", o->peer_tmpls[i].file));
	return peers;
}

const struct custom_server *run_custom_server(const struct run_opts *o, const char *name)
{
	for (int i = 0; i < o->nservers; i++)
		if (!strcmp(o->servers[i].name, name))
			return &o->servers[i];
	return NULL;
}

const struct custom_peer *run_peer_template(const struct run_opts *o, const char *tool)
{
	for (int i = 0; i < o->npeer_tmpls; i++)
		if (!strcmp(o->peer_tmpls[i].tool, tool))
			return &o->peer_tmpls[i];
	return NULL;
}

void run_custom_free(struct run_opts *o)
{
	for (int i = 0; i < o->nservers; i++) {
		free((char *)o->servers[i].config_tmpl);
		o->servers[i].config_tmpl = NULL;
	}
	for (int i = 0; i < o->npeer_tmpls; i++) {
		free(o->peer_tmpls[i].text);
		o->peer_tmpls[i].text = NULL;
	}
}
