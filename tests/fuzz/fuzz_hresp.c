/*
 * libFuzzer target: the load generator's response parser (workloads/load/http_resp.c)
 * over a stream of responses fed whole and in pieces, ending with the server's close
 * (hresp_eof). Also a differential check: where both this parser and the proxy's
 * (workloads/common/http.c) accept the first final response, they must agree on its
 * status, length on the wire and body length. Input layout: see fuzz.h.
 */
#include <string.h>

#include "fuzz.h"
#include "http.h"
#include "http_resp.h"

#define MAX_RESPS 64

struct resp {
	int32_t rc;
	int32_t status, minor;
	int32_t err;
	uint8_t keep_alive;
	uint64_t body_len, wire_len, end;
};

struct trace {
	uint32_t n;
	struct resp r[MAX_RESPS];
};

static void record(struct resp *o, const struct hresp *r, int rc, size_t end)
{
	o->rc = rc;
	o->status = r->status;
	o->minor = r->minor;
	o->err = r->err;
	o->keep_alive = r->keep_alive;
	o->body_len = r->body_len;
	o->wire_len = r->wire_len;
	o->end = end;
}

static void run(const uint8_t *data, size_t len, int whole, uint8_t seed, struct trace *t)
{
	struct fuzz_stream st;
	struct hresp r;
	size_t start = 0, cur = 0;
	unsigned steps = 0;

	memset(t, 0, sizeof(*t));
	fuzz_stream_open(&st, data, len, whole, seed);
	fuzz_stream_feed(&st);
	hresp_init(&r);
	while (t->n < MAX_RESPS) {
		size_t n = st.fed - cur, used = (size_t)-1;
		int rc = hresp_parse(&r, st.buf + cur, n, &used);

		FUZZ_CHECK(++steps <= 2 * len + 16);
		FUZZ_CHECK(used <= n);
		FUZZ_CHECK(rc == HRESP_MORE || rc == HRESP_DONE || rc == HRESP_ERROR);
		cur += used;
		FUZZ_CHECK(r.wire_len == cur - start);
		FUZZ_CHECK(r.body_len <= r.wire_len);
		if (rc == HRESP_MORE) {
			FUZZ_CHECK(used == n && r.err == HRESP_E_NONE);
			if (fuzz_stream_feed(&st))
				continue;
			rc = hresp_eof(&r); /* the server closed */
			if (rc == HRESP_MORE) {
				FUZZ_CHECK(cur == start);
				break;
			}
			FUZZ_CHECK(rc == HRESP_ERROR ? r.err == HRESP_E_TRUNCATED : !r.keep_alive);
			record(&t->r[t->n++], &r, rc, cur);
			break;
		}
		record(&t->r[t->n++], &r, rc, cur);
		if (rc == HRESP_ERROR) {
			FUZZ_CHECK(r.err != HRESP_E_NONE);
			break;
		}
		/* A complete response: a final status, and no body where none may be. */
		FUZZ_CHECK(r.err == HRESP_E_NONE && r.status >= 200 && r.status <= 599);
		FUZZ_CHECK(r.minor >= 0 && r.minor <= 9);
		if (r.status == 204 || r.status == 304)
			FUZZ_CHECK(r.body_len == 0);
		FUZZ_CHECK(hresp_eof(&r) == HRESP_ERROR); /* fed after DONE: not a new response */
		start = cur;
		hresp_init(&r);
		if (cur == st.fed && !fuzz_stream_feed(&st))
			break;
	}
	fuzz_stream_close(&st);
}

/*
 * The proxy's parser on the first response of the stream (as the answer to a GET):
 * 1 and *out filled when it accepts a final response whose end it can see.
 */
static int http_c_first(const uint8_t *data, size_t len, struct resp *out)
{
	struct http_msg m;
	struct http_body b;
	size_t used;

	http_msg_init(&m, HTTP_RESPONSE);
	if (http_head_parse(&m, (const char *)data, len) != HTTP_DONE || m.status < 200)
		return 0;
	http_body_init_response(&b, &m, HTTP_M_GET);
	switch (http_body_feed(&b, (const char *)data + m.head_len, len - m.head_len, &used, NULL,
			       NULL)) {
	case HTTP_DONE:
		break;
	case HTTP_AGAIN:
		if (b.mode != HTTP_BODY_CLOSE)
			return 0;
		break;
	default:
		return 0;
	}
	out->status = m.status;
	out->minor = m.minor;
	out->keep_alive = b.mode == HTTP_BODY_CLOSE ? 0 : m.keep_alive;
	out->body_len = b.total;
	out->wire_len = m.head_len + used;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace whole, split;
	struct resp other;

	if (size < 1)
		return 0;
	run(data + 1, size - 1, 1, data[0], &whole);
	run(data + 1, size - 1, 0, data[0], &split);
	if (memcmp(&whole, &split, sizeof(whole)) != 0) {
		for (unsigned i = 0; i < MAX_RESPS; i++)
			if (memcmp(&whole.r[i], &split.r[i], sizeof(whole.r[i])) != 0)
				fprintf(stderr,
					"response %u: whole rc %d err %d end %llu, split rc %d err "
					"%d end %llu\n",
					i, whole.r[i].rc, whole.r[i].err,
					(unsigned long long)whole.r[i].end, split.r[i].rc,
					split.r[i].err, (unsigned long long)split.r[i].end);
		FUZZ_CHECK(!"whole and split feeds disagree");
	}
	/* Differential: only small inputs, away from the two parsers' different size limits. */
	if (size - 1 < 8192 && whole.n && whole.r[0].rc == HRESP_DONE &&
	    http_c_first(data + 1, size - 1, &other)) {
		const struct resp *a = &whole.r[0];

		if (a->status != other.status || a->wire_len != other.wire_len ||
		    a->body_len != other.body_len || a->keep_alive != other.keep_alive) {
			fprintf(
			    stderr,
			    "hresp: status %d wire %llu body %llu keep-alive %d; http.c: status %d "
			    "wire %llu body %llu keep-alive %d\n",
			    a->status, (unsigned long long)a->wire_len,
			    (unsigned long long)a->body_len, a->keep_alive, other.status,
			    (unsigned long long)other.wire_len, (unsigned long long)other.body_len,
			    other.keep_alive);
			FUZZ_CHECK(!"hresp and http.c disagree on a response both accept");
		}
	}
	return 0;
}
