/*
 * Unit tests of harness/run/custom.c: NAME=VALUE splitting, placeholder
 * expansion, escaped placeholders, braces of real configs left alone, and the
 * one-line errors for unknown placeholders and values a run does not have.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "custom.h"

static void expect(const char *in, const struct custom_vars *v, const char *want)
{
	char why[256] = "";
	char *got = custom_expand(in, v, why, sizeof(why));

	CHECKF(got && !strcmp(got, want), "'%s' -> '%s' (%s), want '%s'", in, got ? got : "NULL",
	       why, want);
	free(got);
}

int main(void)
{
	struct custom_vars proxy = {.port = 8080,
				    .host = "127.0.0.1",
				    .cpus = "0",
				    .threads = 1,
				    .upstream_host = "127.0.0.1",
				    .upstream_port = 9090,
				    .tmpdir = "/tmp/rs.x",
				    .config = "/tmp/rs.x/proxy.ini"};
	struct custom_vars echo = {.port = 7, .host = "::1", .cpus = "0-1", .threads = 2};
	char name[32], why[256];
	const char *val;
	char *s;

	expect("socat TCP-LISTEN:{port},reuseaddr,fork TCP:{upstream}", &proxy,
	       "socat TCP-LISTEN:8080,reuseaddr,fork TCP:127.0.0.1:9090");
	expect("x {host}:{port} {cpus} {threads} {upstream_host} {upstream_port} {tmpdir} {config}",
	       &proxy, "x 127.0.0.1:8080 0 1 127.0.0.1 9090 /tmp/rs.x /tmp/rs.x/proxy.ini");
	expect("events { worker_connections 64; }} {port}", &proxy,
	       "events { worker_connections 64; }} 8080");
	expect("literal {{port}} and {Port} and { port } and {}", &proxy,
	       "literal {port} and {Port} and { port } and {}");
	expect("{port}{port}", &echo, "77");

	s = custom_expand("run {prot}", &proxy, why, sizeof(why));
	CHECKF(!s && strstr(why, "unknown placeholder {prot}"), "why: %s", why);
	s = custom_expand("socat TCP:{upstream}", &echo, why, sizeof(why));
	CHECKF(!s && strstr(why, "{upstream} has no value"), "why: %s", why);
	CHECK(custom_check("a {config}", true, why, sizeof(why)) < 0);
	CHECK(custom_check("a {config}", false, why, sizeof(why)) == 0);
	CHECK(custom_check("a {nope}", false, why, sizeof(why)) < 0);

	CHECK(custom_split("tinygate=./tg {config}", name, sizeof(name), &val, why, sizeof(why)) ==
	      0);
	CHECK(!strcmp(name, "tinygate") && !strcmp(val, "./tg {config}"));
	CHECK(custom_split("=cmd", name, sizeof(name), &val, why, sizeof(why)) < 0);
	CHECK(custom_split("nocommand", name, sizeof(name), &val, why, sizeof(why)) < 0);
	CHECK(custom_split("Bad=cmd", name, sizeof(name), &val, why, sizeof(why)) < 0);
	CHECK(custom_split("a b=cmd", name, sizeof(name), &val, why, sizeof(why)) < 0);
	CHECK(custom_split("socat-echo=", name, sizeof(name), &val, why, sizeof(why)) == 0 &&
	      !*val);
	return check_exit();
}
