/*
 * The stream driver behind fuzz_http_request and fuzz_http_response (see
 * http_stream.h): feeds http_head_parse() the message so far and http_body_feed()
 * what follows the head, checking after each call what the API promises.
 */
#include <string.h>

#include "fuzz.h"
#include "http_stream.h"

/* Checks a parsed head against the bytes it was parsed from. */
static void check_head(const struct http_msg *m, size_t avail)
{
	FUZZ_CHECK(m->head_len > 0 && m->head_len <= avail && m->head_len <= HTTP_MAX_HEAD);
	FUZZ_CHECK(m->nheaders <= HTTP_MAX_HEADERS);
	for (unsigned i = 0; i < m->nheaders; i++) {
		const struct http_header *h = &m->headers[i];

		FUZZ_CHECK(h->name.len > 0 && h->name.off + h->name.len <= m->head_len);
		FUZZ_CHECK(h->value.off + h->value.len <= m->head_len);
	}
	if (m->kind == HTTP_REQUEST) {
		FUZZ_CHECK(m->method_s.len > 0 && m->method_s.off + m->method_s.len < m->head_len);
		FUZZ_CHECK(m->target.len > 0 && m->target.off + m->target.len < m->head_len);
		FUZZ_CHECK(!(m->has_cl && m->has_te)); /* smuggling is never accepted */
		FUZZ_CHECK(m->minor == 0 || m->hosts == 1);
	} else {
		FUZZ_CHECK(m->status >= 100 && m->status <= 999);
	}
	FUZZ_CHECK(m->minor <= 1);
}

/* One http_body_feed() call over in[0..n), into an output buffer of exactly n bytes. */
static int feed_body(struct http_body *b, const char *in, size_t n, size_t *used,
		     struct hs_msg *msg)
{
	char *out = malloc(n ? n : 1);
	size_t outlen = (size_t)-1;
	uint64_t before = b->total;
	int r;

	FUZZ_CHECK(out != NULL);
	*used = (size_t)-1;
	r = http_body_feed(b, in, n, used, out, &outlen);
	FUZZ_CHECK(*used <= n && outlen <= *used);
	FUZZ_CHECK(b->total == before + outlen);
	FUZZ_CHECK(r == HTTP_DONE || r == HTTP_AGAIN || r == HTTP_E_BAD || r == HTTP_E_TOO_LARGE);
	if (r == HTTP_AGAIN)
		FUZZ_CHECK(*used == n && !b->done);
	if (r == HTTP_DONE)
		FUZZ_CHECK(b->done);
	if (b->mode == HTTP_BODY_LENGTH || b->mode == HTTP_BODY_CLOSE)
		FUZZ_CHECK(outlen == *used && r >= HTTP_AGAIN);
	if (b->mode == HTTP_BODY_LENGTH)
		FUZZ_CHECK(b->total <= msg->content_length);
	msg->body_hash = fuzz_hash(msg->body_hash, out, outlen);
	free(out);
	return r;
}

void hs_run(enum http_kind kind, enum http_method req_method, const uint8_t *data, size_t len,
	    int whole, uint8_t seed, struct hs_trace *t)
{
	struct fuzz_stream st;
	struct http_msg m;
	struct http_body b;
	size_t start = 0, cur = 0;
	bool in_body = false;
	unsigned steps = 0;

	memset(t, 0, sizeof(*t));
	fuzz_stream_open(&st, data, len, whole, seed);
	fuzz_stream_feed(&st);
	http_msg_init(&m, kind);
	while (t->nmsgs < HS_MAX_MSGS) {
		struct hs_msg *msg = &t->msgs[t->nmsgs];
		size_t used;
		int r;

		FUZZ_CHECK(++steps <= 4 * len + 16); /* every step feeds or moves on */
		if (!in_body) {
			r = http_head_parse(&m, st.buf + start, st.fed - start);
			FUZZ_CHECK(m.pos <= st.fed - start);
			msg->rc = r;
			if (r == HTTP_AGAIN) {
				FUZZ_CHECK(st.fed - start < HTTP_MAX_HEAD);
				if (!fuzz_stream_feed(&st))
					break; /* the stream ended inside a head */
				continue;
			}
			if (r != HTTP_DONE)
				break;
			FUZZ_CHECK(http_head_parse(&m, st.buf + start, st.fed - start) ==
				   HTTP_DONE);
			check_head(&m, st.fed - start);
			msg->head_len = m.head_len;
			msg->status = m.status;
			msg->nheaders = m.nheaders;
			msg->method = m.method;
			msg->minor = m.minor;
			msg->keep_alive = m.keep_alive;
			msg->content_length = m.content_length;
			msg->body_hash = 2166136261u;
			if (kind == HTTP_REQUEST)
				http_body_init_request(&b, &m);
			else
				http_body_init_response(&b, &m, req_method);
			msg->mode = b.mode;
			cur = start + m.head_len;
			in_body = true;
		}
		r = feed_body(&b, st.buf + cur, st.fed - cur, &used, msg);
		cur += used;
		msg->rc = r;
		msg->body_total = b.total;
		if (r == HTTP_AGAIN) {
			if (fuzz_stream_feed(&st))
				continue;
			msg->rc = http_body_eof(&b); /* the peer closed */
			FUZZ_CHECK((msg->rc == HTTP_DONE) == (b.mode == HTTP_BODY_CLOSE));
			msg->end = cur;
			t->nmsgs++;
			break;
		}
		msg->end = cur;
		t->nmsgs++;
		if (r != HTTP_DONE)
			break;
		FUZZ_CHECK(http_body_eof(&b) == HTTP_DONE);
		if (b.mode == HTTP_BODY_LENGTH)
			FUZZ_CHECK(b.total == m.content_length);
		/* The next pipelined message starts where this body ended. */
		start = cur;
		in_body = false;
		http_msg_init(&m, kind);
		if (start == st.fed && !fuzz_stream_feed(&st))
			break;
	}
	FUZZ_CHECK(cur <= len && start <= len);
	fuzz_stream_close(&st);
}

int hs_fuzz(enum http_kind kind, const uint8_t *data, size_t size)
{
	static struct hs_trace whole, split;
	enum http_method method = HTTP_M_GET;

	if (size < 1)
		return 0;
	if (kind == HTTP_RESPONSE && (data[0] & 0x80))
		method = HTTP_M_HEAD;
	hs_run(kind, method, data + 1, size - 1, 1, data[0], &whole);
	hs_run(kind, method, data + 1, size - 1, 0, data[0], &split);
	if (memcmp(&whole, &split, sizeof(whole)) != 0) {
		for (unsigned i = 0; i < HS_MAX_MSGS; i++) {
			const struct hs_msg *a = &whole.msgs[i], *s = &split.msgs[i];

			if (memcmp(a, s, sizeof(*a)) != 0)
				fprintf(stderr,
					"message %u: whole rc %d end %llu body %llu, split rc %d "
					"end %llu body %llu\n",
					i, a->rc, (unsigned long long)a->end,
					(unsigned long long)a->body_total, s->rc,
					(unsigned long long)s->end,
					(unsigned long long)s->body_total);
		}
		FUZZ_CHECK(!"whole and split feeds disagree");
	}
	return 0;
}
