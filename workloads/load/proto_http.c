/*
 * HTTP/1.1 protocol: the same GET for every request (keep-alive, or with
 * "Connection: close" for --new-connection-per-request), each response parsed
 * strictly and incrementally by hresp_ (http_resp.c). Status != 200 is a
 * `status` error; bad framing, or a body whose length is not --expect-body, is a
 * `mismatch` and the connection is replaced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "log.h"

static char *request;
static size_t request_len;

static size_t http_setup(const struct load_opts *o)
{
	const char *fmt = "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n";
	const char *extra = o->churn ? "Connection: close\r\n" : "";
	const char *host = o->host_header ? o->host_header : o->target;
	int n = snprintf(NULL, 0, fmt, o->path, host, extra);

	request = malloc((size_t)n + 1);
	if (!request)
		return 0;
	snprintf(request, (size_t)n + 1, fmt, o->path, host, extra);
	request_len = (size_t)n;
	return request_len;
}

static void http_conn_reset(struct load_conn *c)
{
	hresp_init(&c->p.http);
}

static size_t http_fill(const struct load_conn *c, uint64_t seq, uint64_t off, char *buf,
			size_t cap)
{
	size_t n = request_len - off;

	if (n > cap)
		n = cap;
	memcpy(buf, request + off, n);
	return n;
}

/* A complete response: LOAD_DONE, or LOAD_BAD when its body has the wrong length. */
static enum load_rc http_result(struct load_conn *c, struct load_resp *r)
{
	int64_t want = c->t->o->expect_body;

	if (want >= 0 && c->p.http.status == 200 && c->p.http.body_len != (uint64_t)want) {
		LOG_DBG("connection %u: body of %llu bytes, expected %lld", c->id,
			(unsigned long long)c->p.http.body_len, (long long)want);
		hresp_init(&c->p.http);
		return LOAD_BAD;
	}
	r->bytes = c->p.http.wire_len;
	r->body_bytes = c->p.http.body_len;
	r->ok = c->p.http.status == 200;
	r->close_after = !c->p.http.keep_alive;
	hresp_init(&c->p.http);
	return LOAD_DONE;
}

static enum load_rc http_consume(struct load_conn *c, const char *buf, size_t len, size_t *used,
				 struct load_resp *r)
{
	switch (hresp_parse(&c->p.http, buf, len, used)) {
	case HRESP_MORE:
		return LOAD_MORE;
	case HRESP_DONE:
		return http_result(c, r);
	default:
		LOG_DBG("connection %u: response rejected: %s", c->id,
			hresp_strerror(c->p.http.err));
		return LOAD_BAD;
	}
}

static enum load_rc http_eof(struct load_conn *c, struct load_resp *r)
{
	switch (hresp_eof(&c->p.http)) {
	case HRESP_DONE:
		return http_result(c, r);
	case HRESP_MORE:
		return LOAD_MORE;
	default:
		return LOAD_BAD;
	}
}

const struct load_proto load_proto_http = {
    .name = "http",
    .setup = http_setup,
    .conn_reset = http_conn_reset,
    .fill = http_fill,
    .consume = http_consume,
    .eof = http_eof,
};
