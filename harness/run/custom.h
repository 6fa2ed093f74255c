/*
 * Servers the user brings (`ringside run --server NAME='COMMAND'`, with
 * `--server-config NAME=TEMPLATE`), and config templates for the peers
 * (`--peer-config nginx=FILE`). A command or template names run-time values as
 * placeholders: {port} {host} {cpus} {threads} {upstream} {upstream_host}
 * {upstream_port} {tmpdir} {config}. "{{port}}" is the literal text "{port}";
 * any other brace is kept as it is, so nginx and haproxy configs need no
 * escaping.
 */
#ifndef RS_CUSTOM_H
#define RS_CUSTOM_H

#include <stdbool.h>
#include <stddef.h>

#define CUSTOM_MAX	8
#define CUSTOM_NAME_MAX 32

/* One --server, with its --server-config if given. */
struct custom_server {
	char name[CUSTOM_NAME_MAX];
	const char *command;	 /* as given, placeholders unexpanded */
	const char *config_tmpl; /* template text (read from config_arg), NULL if none */
	const char *config_arg;	 /* --server-config's value: a file path, or the text itself */
};

/* A --peer-config TOOL=FILE: the user's template in place of peers.c's config. */
struct custom_peer {
	const char *tool; /* a MODEL_PEER entry of lib/models.h: "nginx" | "haproxy" */
	const char *file; /* as given */
	char *text;	  /* its contents */
};

/* The values a placeholder expands to for one run. */
struct custom_vars {
	unsigned port;
	const char *host;
	const char *cpus;
	unsigned threads;
	const char *upstream_host; /* NULL for workloads without an origin */
	unsigned upstream_port;
	const char *tmpdir;
	const char *config; /* the written config's path, NULL if none */
};

/*
 * Parses "NAME=VALUE" into name and *value (pointing into arg). NAME is 1-31
 * characters of [a-z0-9_.-] starting with a letter. -1 with a one-line why.
 */
int custom_split(const char *arg, char *name, size_t namelen, const char **value, char *why,
		 size_t whylen);
/*
 * Checks that every placeholder in text is known (and, for a config template,
 * that {config} is not used in it); -1 with a one-line why naming the first
 * unknown one.
 */
int custom_check(const char *text, bool is_config, char *why, size_t whylen);
/*
 * Expands text into a new string (caller frees). A placeholder whose value is
 * not set for this run ({upstream} in an echo run) is an error: NULL with why.
 */
char *custom_expand(const char *text, const struct custom_vars *v, char *why, size_t whylen);

#endif
