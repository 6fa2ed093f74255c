/*
 * ringside-load in HTTP mode, with the engine named in argv[1], against a small HTTP/1.1 server
 * inside this test: Content-Length, chunked (extensions, trailer, split writes) and close-delimited
 * bodies measured exactly, 404 counted as `status`, conflicting Content-Length as
 * `mismatch`, pipelining, --new-connection-per-request really reconnecting, and
 * --expect-body: the right length passes, any other is a `mismatch`.
 */
#include <stdlib.h>
#include <string.h>

#include "loadtest.h"

static struct lt_server srv;
static char target[64];

static void run(struct lt_run *r, const char *path, const char *a1, const char *a2)
{
	lt_exec(r,
		(const char *[]){"--target", target, "--mode", "http", "--path", path, "-c", "3",
				 "-d", "0.15", "--warmup", "0.05", a1, a2, NULL},
		-1, 20);
	if (r->exit_code != 0 || !r->json)
		fprintf(stderr, "%s: exit %d\nstdout: %s\nstderr: %s\n", path, r->exit_code, r->out,
			r->err);
	else
		fprintf(stderr, "%s %s: %lld requests, body %.1f, errors %lld\n", path,
			a1 ? a1 : "", lt_int(r->json, "requests"), lt_num(r->json, "body_bytes"),
			lt_int(r->json, "errors.total"));
}

/* A good run: every response complete, body_bytes and bytes per response exact. */
static void expect_ok(const char *path, double body, long long wire, const char *a1, const char *a2)
{
	struct lt_run r;
	long long n;

	run(&r, path, a1, a2);
	CHECK(r.exit_code == 0 && r.json);
	n = lt_int(r.json, "requests");
	CHECK(n > 0);
	CHECK(lt_int(r.json, "errors.total") == 0);
	CHECK(lt_num(r.json, "body_bytes") == body);
	CHECK(lt_int(r.json, "bytes") == wire * n);
	CHECK(!strcmp(json_string_value(json_object_get(r.json, "mode")), "http"));
	CHECK(json_is_null(json_object_get(r.json, "payload_bytes")));
	lt_free(&r);
}

int main(int argc, char **argv)
{
	/* Response sizes as the server in loadtest.c writes them. */
	const long long fixed = 17 + 12 + 21 + 2 + 100;
	const long long fixed_close = fixed + 19;
	const long long chunked = 17 + 28 + 2 + 22 + 12 + 4 + 32 + 3 + 17 + 2;
	const long long closed = 31 + 50;
	struct lt_run r;
	unsigned long before;
	long long n;

	lt_init(argc, argv);
	lt_http_start(&srv);
	snprintf(target, sizeof(target), "127.0.0.1:%u", srv.port);

	expect_ok("/fixed", 100, fixed, NULL, NULL);
	expect_ok("/chunked", 40, chunked, NULL, NULL);
	expect_ok("/chunked", 40, chunked, "--depth", "4");
	expect_ok("/close", 50, closed, NULL, NULL);

	before = atomic_load(&srv.accepted);
	run(&r, "/fixed", "--new-connection-per-request", NULL);
	CHECK(r.exit_code == 0 && r.json);
	n = lt_int(r.json, "requests");
	CHECK(n > 0 && lt_int(r.json, "errors.total") == 0);
	CHECK(lt_num(r.json, "body_bytes") == 100);
	CHECK(lt_int(r.json, "bytes") == fixed_close * n);
	/* One connection per request (warmup's too): at least as many accepts as requests. */
	CHECK(atomic_load(&srv.accepted) - before >= (unsigned long)n);
	lt_free(&r);

	expect_ok("/fixed", 100, fixed, "--expect-body", "100");
	expect_ok("/chunked", 40, chunked, "--expect-body", "40");
	run(&r, "/fixed", "--expect-body", "99");
	CHECK(r.exit_code == 0 && r.json);
	CHECK(lt_int(r.json, "requests") == 0);
	CHECK(lt_int(r.json, "errors.mismatch") > 0);
	CHECK(lt_int(r.json, "errors.total") == lt_int(r.json, "errors.mismatch"));
	lt_free(&r);

	run(&r, "/404", NULL, NULL);
	CHECK(r.exit_code == 0 && r.json);
	CHECK(lt_int(r.json, "requests") == 0);
	CHECK(lt_int(r.json, "errors.status") > 0);
	CHECK(lt_int(r.json, "errors.total") == lt_int(r.json, "errors.status"));
	CHECK(json_is_null(json_object_get(json_object_get(r.json, "latency_us"), "p50")));
	lt_free(&r);

	run(&r, "/badcl", NULL, NULL);
	CHECK(r.exit_code == 0 && r.json);
	CHECK(lt_int(r.json, "requests") == 0);
	CHECK(lt_int(r.json, "errors.mismatch") > 0);
	lt_free(&r);

	return check_exit();
}
