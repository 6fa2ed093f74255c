/*
 * Unit tests of the HTTP/1.1 parser (workloads/common/http.c): valid and invalid
 * requests and responses, the same result whatever byte boundary the input is split
 * at, chunked decoding, the Content-Length + Transfer-Encoding smuggling case, 431.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#include "check.h"

/* One-shot parse of a whole head. */
static int parse(enum http_kind kind, const char *s, struct http_msg *m)
{
	http_msg_init(m, kind);
	return http_head_parse(m, s, strlen(s));
}

/* Parse with the bytes arriving one at a time: AGAIN until the last, same verdict. */
static int parse_bytewise(enum http_kind kind, const char *s, size_t n, struct http_msg *m)
{
	int r = HTTP_AGAIN;

	http_msg_init(m, kind);
	for (size_t len = 1; len <= n && r == HTTP_AGAIN; len++)
		r = http_head_parse(m, s, len);
	return r;
}

/* Parse split in two at every boundary; each must agree with the one-shot result. */
static void check_splits(enum http_kind kind, const char *s, const char *what)
{
	struct http_msg whole, part;
	size_t n = strlen(s);
	int want = parse(kind, s, &whole), r;

	for (size_t cut = 0; cut <= n; cut++) {
		http_msg_init(&part, kind);
		r = http_head_parse(&part, s, cut);
		if (r == HTTP_AGAIN)
			r = http_head_parse(&part, s, n);
		CHECKF(r == want, "%s: split at %zu gives %s, whole gives %s", what, cut,
		       http_result_str(r), http_result_str(want));
		if (r == HTTP_DONE && want == HTTP_DONE)
			CHECKF(part.head_len == whole.head_len && part.nheaders == whole.nheaders &&
				   part.keep_alive == whole.keep_alive &&
				   part.content_length == whole.content_length &&
				   memcmp(part.headers, whole.headers,
					  whole.nheaders * sizeof(whole.headers[0])) == 0,
			       "%s: split at %zu parses differently", what, cut);
	}
	r = parse_bytewise(kind, s, n, &part);
	CHECKF(r == want, "%s: byte by byte gives %s", what, http_result_str(r));
}

static void test_valid_requests(void)
{
	struct http_msg m;
	const char *get = "GET /a/b?c=d HTTP/1.1\r\nHost: example.test:8080\r\n"
			  "User-Agent: t\r\nAccept: */*  \r\n\r\nNEXT";
	const struct http_header *h;

	CHECKF(parse(HTTP_REQUEST, get, &m) == HTTP_DONE, "simple GET");
	CHECKF(m.method == HTTP_M_GET && m.minor == 1 && m.keep_alive, "GET fields");
	CHECKF(http_span_eq(get, m.target, "/a/b?c=d"), "target");
	CHECKF(http_span_eq(get, m.host, "example.test:8080"), "host");
	CHECKF(m.head_len == strlen(get) - 4, "head_len %u", m.head_len);
	h = http_find_header(&m, get, "accept");
	CHECKF(h && http_span_eq(get, h->value, "*/*"), "value trimmed");
	check_splits(HTTP_REQUEST, get, "GET");

	CHECKF(parse(HTTP_REQUEST, "GET / HTTP/1.0\r\n\r\n", &m) == HTTP_DONE && !m.keep_alive,
	       "1.0 without Host closes");
	CHECKF(parse(HTTP_REQUEST, "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &m) ==
		       HTTP_DONE &&
		   m.keep_alive,
	       "1.0 keep-alive");
	CHECKF(parse(HTTP_REQUEST, "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n",
		     &m) == HTTP_DONE &&
		   !m.keep_alive,
	       "1.1 close");
	CHECKF(parse(HTTP_REQUEST, "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &m) == HTTP_DONE,
	       "leading CRLF skipped");
	CHECKF(parse(HTTP_REQUEST, "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n",
		     &m) == HTTP_DONE &&
		   m.method == HTTP_M_POST && m.has_cl && m.content_length == 12,
	       "POST length");
	CHECKF(parse(HTTP_REQUEST, "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 7, 7\r\n\r\n",
		     &m) == HTTP_DONE &&
		   m.content_length == 7,
	       "identical Content-Length list");
	CHECKF(parse(HTTP_REQUEST,
		     "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		     &m) == HTTP_DONE &&
		   m.te_chunked,
	       "chunked last");
	CHECKF(parse(HTTP_REQUEST, "GET http://a.test/x HTTP/1.1\r\nHost: a.test\r\n\r\n", &m) ==
		   HTTP_DONE,
	       "absolute-form");
	CHECKF(parse(HTTP_REQUEST, "GET / HTTP/1.1\r\nHost: a\r\n", &m) == HTTP_AGAIN,
	       "incomplete");
}

static void test_invalid_requests(void)
{
	static const struct {
		const char *req;
		int want;
		const char *what;
	} cases[] = {
	    {"GET / HTTP/1.1\nHost: a\r\n\r\n", HTTP_E_BAD, "bare LF"},
	    {"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", HTTP_E_BAD, "obs-fold"},
	    {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", HTTP_E_BAD, "space before colon"},
	    {"GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", HTTP_E_BAD, "non-token name"},
	    {"GET / HTTP/1.1\r\n: a\r\n\r\n", HTTP_E_BAD, "empty name"},
	    {"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", HTTP_E_BAD, "bare CR in value"},
	    {"GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", HTTP_E_BAD, "control byte"},
	    {"GET / HTTP/1.1\r\n\r\n", HTTP_E_BAD, "1.1 without Host"},
	    {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", HTTP_E_BAD, "two Hosts"},
	    {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", HTTP_E_VERSION, "HTTP/2.0"},
	    {"GET / HTTP/1.1x\r\nHost: a\r\n\r\n", HTTP_E_BAD, "junk after version"},
	    {"GET / http/1.1\r\nHost: a\r\n\r\n", HTTP_E_BAD, "lower-case version"},
	    {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_E_BAD, "double space"},
	    {"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_E_BAD, "bad method"},
	    {"GET\r\n\r\n", HTTP_E_BAD, "method alone"},
	    {"GET /\r\nHost: a\r\n\r\n", HTTP_E_BAD, "no version"},
	    {"GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n", HTTP_E_BAD, "extra word"},
	    {"GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_E_BAD, "DEL in target"},
	    {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", HTTP_E_BAD,
	     "CL not digits"},
	    {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", HTTP_E_BAD, "CL negative"},
	    {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", HTTP_E_BAD, "CL empty"},
	    {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
	     HTTP_E_BAD, "conflicting CL"},
	    {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", HTTP_E_BAD,
	     "conflicting CL list"},
	    {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1234567890123456789\r\n\r\n", HTTP_E_BAD,
	     "CL overflow"},
	    {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: "
	     "chunked\r\n\r\n",
	     HTTP_E_SMUGGLE, "CL + TE"},
	    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: "
	     "5\r\n\r\n",
	     HTTP_E_SMUGGLE, "TE + CL"},
	    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", HTTP_E_BAD,
	     "TE not chunked"},
	    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", HTTP_E_BAD,
	     "chunked not last"},
	    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
	     HTTP_E_BAD, "identity after chunked"},
	    {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
	     "chunked\r\n\r\n",
	     HTTP_E_BAD, "chunked twice"},
	    {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_E_BAD, "TE in 1.0"},
	    {"\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_E_BAD,
	     "too many leading CRLF"},
	};
	struct http_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = parse(HTTP_REQUEST, cases[i].req, &m);

		CHECKF(r == cases[i].want, "%s: got %s, want %s", cases[i].what, http_result_str(r),
		       http_result_str(cases[i].want));
		check_splits(HTTP_REQUEST, cases[i].req, cases[i].what);
	}
	CHECKF(http_error_status(HTTP_E_SMUGGLE) == 400 && http_error_status(HTTP_E_BAD) == 400 &&
		   http_error_status(HTTP_E_VERSION) == 505,
	       "error statuses");
}

static void test_too_large(void)
{
	size_t cap = HTTP_MAX_HEAD + 4096, n;
	char *buf = malloc(cap + 1);
	struct http_msg m;
	int r;

	/* One huge field: no blank line within HTTP_MAX_HEAD bytes. */
	n = snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ");
	memset(buf + n, 'x', cap - n);
	buf[cap] = 0;
	memcpy(buf + cap - 4, "\r\n\r\n", 4);
	r = parse(HTTP_REQUEST, buf, &m);
	CHECKF(r == HTTP_E_TOO_LARGE && http_error_status(r) == 431, "16 KiB field: %s",
	       http_result_str(r));
	/* Incrementally: still AGAIN just below the limit, 431 at it. */
	http_msg_init(&m, HTTP_REQUEST);
	CHECKF(http_head_parse(&m, buf, HTTP_MAX_HEAD - 1) == HTTP_AGAIN, "below limit");
	CHECKF(http_head_parse(&m, buf, HTTP_MAX_HEAD) == HTTP_E_TOO_LARGE, "at limit");

	/* Many small fields. */
	n = snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (int i = 0; i < HTTP_MAX_HEADERS + 1; i++)
		n += snprintf(buf + n, cap - n, "X-%d: y\r\n", i);
	n += snprintf(buf + n, cap - n, "\r\n");
	CHECKF(parse(HTTP_REQUEST, buf, &m) == HTTP_E_TOO_LARGE, "too many fields");

	/* A head just under the limit is fine. */
	n = snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ");
	memset(buf + n, 'x', HTTP_MAX_HEAD - n - 4);
	memcpy(buf + HTTP_MAX_HEAD - 4, "\r\n\r\n", 4);
	buf[HTTP_MAX_HEAD] = 0;
	CHECKF(parse(HTTP_REQUEST, buf, &m) == HTTP_DONE && m.head_len == HTTP_MAX_HEAD,
	       "exactly HTTP_MAX_HEAD");
	free(buf);
}

static void test_responses(void)
{
	static const struct {
		const char *resp;
		int method;
		int want;
		int mode;
		bool keep;
	} cases[] = {
	    {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", HTTP_M_GET, HTTP_DONE,
	     HTTP_BODY_LENGTH, true},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_M_GET, HTTP_DONE,
	     HTTP_BODY_CHUNKED, true},
	    {"HTTP/1.1 200 OK\r\n\r\n", HTTP_M_GET, HTTP_DONE, HTTP_BODY_CLOSE, true},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", HTTP_M_GET, HTTP_DONE,
	     HTTP_BODY_CLOSE, false},
	    {"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", HTTP_M_GET, HTTP_DONE,
	     HTTP_BODY_NONE, true},
	    {"HTTP/1.1 304 Not Modified\r\n\r\n", HTTP_M_GET, HTTP_DONE, HTTP_BODY_NONE, true},
	    {"HTTP/1.1 100 Continue\r\n\r\n", HTTP_M_POST, HTTP_DONE, HTTP_BODY_NONE, true},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", HTTP_M_HEAD, HTTP_DONE, HTTP_BODY_NONE,
	     true},
	    {"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n", HTTP_M_GET, HTTP_DONE,
	     HTTP_BODY_LENGTH, false},
	    {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\n", HTTP_M_GET,
	     HTTP_DONE, HTTP_BODY_LENGTH, false},
	    {"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", HTTP_M_GET, HTTP_DONE, HTTP_BODY_LENGTH,
	     true},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	     HTTP_M_GET, HTTP_E_BAD, 0, false},
	    {"HTTP/1.1 20 OK\r\n\r\n", HTTP_M_GET, HTTP_E_BAD, 0, false},
	    {"HTTP/1.1 099 OK\r\n\r\n", HTTP_M_GET, HTTP_E_BAD, 0, false},
	    {"HTTP/1.1 200OK\r\n\r\n", HTTP_M_GET, HTTP_E_BAD, 0, false},
	    {"HTTP/3.0 200 OK\r\n\r\n", HTTP_M_GET, HTTP_E_VERSION, 0, false},
	    {"ICY 200 OK\r\n\r\n", HTTP_M_GET, HTTP_E_BAD, 0, false},
	};
	struct http_msg m;
	struct http_body b;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = parse(HTTP_RESPONSE, cases[i].resp, &m);

		CHECKF(r == cases[i].want, "response %zu: %s", i, http_result_str(r));
		check_splits(HTTP_RESPONSE, cases[i].resp, "response");
		if (r != HTTP_DONE)
			continue;
		http_body_init_response(&b, &m, cases[i].method);
		CHECKF(b.mode == cases[i].mode, "response %zu: mode %d want %d", i, b.mode,
		       cases[i].mode);
		CHECKF(m.keep_alive == cases[i].keep, "response %zu: keep-alive %d", i,
		       m.keep_alive);
	}
}

/* Decodes body with the input split at cut; returns the feed result. */
static int decode_split(const char *body, size_t n, size_t cut, char *out, size_t *outn,
			size_t *used_total)
{
	struct http_body b;
	struct http_msg m;
	size_t used, o1 = 0, o2 = 0;
	int r;

	parse(HTTP_REQUEST, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", &m);
	http_body_init_request(&b, &m);
	r = http_body_feed(&b, body, cut, &used, out, &o1);
	*used_total = used;
	if (r == HTTP_AGAIN) {
		r = http_body_feed(&b, body + cut, n - cut, &used, out + o1, &o2);
		*used_total += used;
	}
	*outn = o1 + o2;
	return r;
}

static void test_chunked(void)
{
	const char *body = "5;ext=1;q=\"x y\"\r\nhello\r\n"
			   "6 ; e\r\n world\r\n"
			   "A\r\n0123456789\r\n"
			   "0\r\nX-Trailer: yes\r\nY: 2\r\n\r\n"
			   "GET /next";
	size_t n = strlen(body), end = n - strlen("GET /next"), outn, used;
	char out[256];
	int r;

	for (size_t cut = 0; cut <= n; cut++) {
		r = decode_split(body, n, cut, out, &outn, &used);
		CHECKF(r == HTTP_DONE && used == end && outn == 21 &&
			   memcmp(out, "hello world0123456789", 21) == 0,
		       "chunked split at %zu: %s used %zu out %zu", cut, http_result_str(r), used,
		       outn);
	}

	static const struct {
		const char *body;
		int want;
		const char *what;
	} bad[] = {
	    {"x\r\n", HTTP_E_BAD, "not hex"},
	    {"\r\n", HTTP_E_BAD, "empty size"},
	    {"5\r\nhelloX\r\n", HTTP_E_BAD, "no CRLF after data"},
	    {"5\nhello\r\n", HTTP_E_BAD, "bare LF after size"},
	    {"5 x\r\nhello\r\n", HTTP_E_BAD, "junk after size"},
	    {"fffffffffffffffff\r\n", HTTP_E_BAD, "size overflow"},
	    {"10000000000000000\r\n", HTTP_E_BAD, "size 2^64"},
	    {"0\r\nBad Trailer: x\r\n\r\n", HTTP_E_BAD, "bad trailer name"},
	    {"0\r\nT: a\x01\r\n\r\n", HTTP_E_BAD, "control byte in trailer"},
	    {"-1\r\n", HTTP_E_BAD, "negative size"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = decode_split(bad[i].body, strlen(bad[i].body), strlen(bad[i].body), out, &outn,
				 &used);
		CHECKF(r == bad[i].want, "chunked %s: %s", bad[i].what, http_result_str(r));
	}

	/* A long extension is bounded. */
	{
		static char longext[HTTP_MAX_CHUNK_LINE + 16];

		memset(longext, 'a', sizeof(longext) - 1);
		longext[0] = '1';
		longext[1] = ';';
		longext[sizeof(longext) - 1] = 0;
		r = decode_split(longext, strlen(longext), 3, out, &outn, &used);
		CHECKF(r == HTTP_E_BAD, "long chunk line: %s", http_result_str(r));
	}
	/* Trailers are bounded like a head. */
	{
		size_t cap = HTTP_MAX_HEAD + 64;
		char *big = malloc(cap + 1), *dec = malloc(cap);

		memcpy(big, "0\r\nT: ", 6);
		memset(big + 6, 'v', cap - 6);
		big[cap] = 0;
		r = decode_split(big, cap, cap / 2, dec, &outn, &used);
		CHECKF(r == HTTP_E_TOO_LARGE, "huge trailer: %s", http_result_str(r));
		free(big);
		free(dec);
	}
}

static void test_length_and_close(void)
{
	struct http_msg m;
	struct http_body b;
	size_t used, outn;
	char out[16];

	parse(HTTP_REQUEST, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", &m);
	http_body_init_request(&b, &m);
	CHECKF(http_body_feed(&b, "abc", 3, &used, out, &outn) == HTTP_AGAIN && used == 3,
	       "length part 1");
	CHECKF(http_body_feed(&b, "deGET", 5, &used, out, &outn) == HTTP_DONE && used == 2 &&
		   b.total == 5,
	       "length part 2");
	CHECKF(http_body_eof(&b) == HTTP_DONE, "eof after length");

	parse(HTTP_REQUEST, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", &m);
	http_body_init_request(&b, &m);
	CHECKF(b.done && http_body_feed(&b, "GET", 3, &used, NULL, NULL) == HTTP_DONE && used == 0,
	       "no body");

	parse(HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", &m);
	http_body_init_response(&b, &m, HTTP_M_GET);
	http_body_feed(&b, "abc", 3, &used, NULL, NULL);
	CHECKF(http_body_eof(&b) == HTTP_E_TRUNCATED, "truncated length body");

	parse(HTTP_RESPONSE, "HTTP/1.1 200 OK\r\n\r\n", &m);
	http_body_init_response(&b, &m, HTTP_M_GET);
	CHECKF(http_body_feed(&b, "abcdef", 6, &used, out, &outn) == HTTP_AGAIN && outn == 6,
	       "close-delimited");
	CHECKF(http_body_eof(&b) == HTTP_DONE && b.total == 6, "close-delimited eof");
}

int main(void)
{
	test_valid_requests();
	test_invalid_requests();
	test_too_large();
	test_responses();
	test_chunked();
	test_length_and_close();
	printf("http parser: %d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}
