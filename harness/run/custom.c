/*
 * Placeholder expansion for user-supplied servers and peer config templates:
 * see custom.h. A placeholder is "{" + [a-z_]+ + "}"; nothing else is touched.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custom.h"

static const char *const placeholders[] = {
    "port",	     "host",	      "cpus",	"threads", "upstream",
    "upstream_host", "upstream_port", "tmpdir", "config",
};

int custom_split(const char *arg, char *name, size_t namelen, const char **value, char *why,
		 size_t whylen)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : 0;

	if (!eq || len == 0) {
		snprintf(why, whylen, "'%s' is not NAME=VALUE", arg);
		return -1;
	}
	if (len >= namelen || len >= CUSTOM_NAME_MAX) {
		snprintf(why, whylen, "name '%.*s' is longer than %d characters", (int)len, arg,
			 CUSTOM_NAME_MAX - 1);
		return -1;
	}
	if (!islower((unsigned char)arg[0])) {
		snprintf(why, whylen, "name '%.*s' must start with a lowercase letter", (int)len,
			 arg);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		char c = arg[i];

		if (!islower((unsigned char)c) && !isdigit((unsigned char)c) && c != '_' &&
		    c != '-' && c != '.') {
			snprintf(why, whylen, "name '%.*s' may hold only a-z, 0-9, '_', '-', '.'",
				 (int)len, arg);
			return -1;
		}
	}
	memcpy(name, arg, len);
	name[len] = '\0';
	*value = eq + 1;
	return 0;
}

/* The length of the placeholder name at p (just after a '{'), 0 if none. */
static size_t placeholder_at(const char *p)
{
	size_t n = 0;

	while (p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z'))
		n++;
	return n && p[n] == '}' ? n : 0;
}

/* The length of an escaped placeholder "{{name}}" at p, 0 if there is none. */
static size_t escaped_at(const char *p)
{
	size_t n;

	if (p[0] != '{' || p[1] != '{' || !(n = placeholder_at(p + 2)))
		return 0;
	return p[n + 3] == '}' ? n + 4 : 0;
}

static int known(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		if (strlen(placeholders[i]) == n && !strncmp(placeholders[i], p, n))
			return (int)i;
	return -1;
}

int custom_check(const char *text, bool is_config, char *why, size_t whylen)
{
	for (const char *p = text; *p; p++) {
		size_t n = escaped_at(p);

		if (n) {
			p += n - 1;
			continue;
		}
		if (*p != '{' || !(n = placeholder_at(p + 1)))
			continue;
		if (known(p + 1, n) < 0) {
			snprintf(why, whylen,
				 "unknown placeholder {%.*s} (known: {port} {host} {cpus} "
				 "{threads} {upstream} {upstream_host} {upstream_port} {tmpdir} "
				 "{config})",
				 (int)n, p + 1);
			return -1;
		}
		if (is_config && n == 6 && !strncmp(p + 1, "config", 6)) {
			snprintf(why, whylen, "a config template cannot name {config} itself");
			return -1;
		}
		p += n + 1;
	}
	return 0;
}

/* Appends n bytes of s to the growing string *out. */
static int put_text(char **out, size_t *len, size_t *cap, const char *s, size_t n, char *why,
		    size_t whylen)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = (*len + n + 1) * 2;
		char *p = realloc(*out, ncap);

		if (!p) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		*out = p;
		*cap = ncap;
	}
	memcpy(*out + *len, s, n);
	*len += n;
	(*out)[*len] = '\0';
	return 0;
}

/* Appends the value of placeholder i; -1 with why when it has none in this run. */
static int put_value(char **out, size_t *len, size_t *cap, int i, const struct custom_vars *v,
		     char *why, size_t whylen)
{
	char buf[512];
	const char *s = buf;

	switch (i) {
	case 0:
		snprintf(buf, sizeof(buf), "%u", v->port);
		break;
	case 1:
		s = v->host;
		break;
	case 2:
		s = v->cpus;
		break;
	case 3:
		snprintf(buf, sizeof(buf), "%u", v->threads);
		break;
	case 4:
		if (v->upstream_host)
			snprintf(buf, sizeof(buf),
				 strchr(v->upstream_host, ':') ? "[%s]:%u" : "%s:%u",
				 v->upstream_host, v->upstream_port);
		else
			s = NULL;
		break;
	case 5:
		s = v->upstream_host;
		break;
	case 6:
		if (v->upstream_host)
			snprintf(buf, sizeof(buf), "%u", v->upstream_port);
		else
			s = NULL;
		break;
	case 7:
		s = v->tmpdir;
		break;
	default:
		s = v->config;
		break;
	}
	if (!s) {
		snprintf(why, whylen, "{%s} has no value in this run%s", placeholders[i],
			 i >= 4 && i <= 6 ? " (only the proxy workload has an upstream)" : "");
		return -1;
	}
	return put_text(out, len, cap, s, strlen(s), why, whylen);
}

char *custom_expand(const char *text, const struct custom_vars *v, char *why, size_t whylen)
{
	size_t cap = strlen(text) + 64, len = 0;
	char *out = malloc(cap);

	if (!out) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	out[0] = '\0';
	if (custom_check(text, false, why, whylen) < 0)
		goto fail;
	for (const char *p = text; *p; p++) {
		size_t n = escaped_at(p);

		if (n) { /* "{{name}}" is the text "{name}" */
			if (put_text(&out, &len, &cap, p + 1, n - 2, why, whylen) < 0)
				goto fail;
			p += n - 1;
			continue;
		}
		if (*p == '{' && (n = placeholder_at(p + 1))) {
			if (put_value(&out, &len, &cap, known(p + 1, n), v, why, whylen) < 0)
				goto fail;
			p += n + 1;
			continue;
		}
		if (put_text(&out, &len, &cap, p, 1, why, whylen) < 0)
			goto fail;
	}
	return out;
fail:
	free(out);
	return NULL;
}
