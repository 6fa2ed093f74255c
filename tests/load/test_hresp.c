/*
 * HTTP response parser on canned byte strings: each valid response parsed whole,
 * split at every byte boundary and fed byte by byte gives the same result; each
 * invalid one is rejected however it is split; pipelined responses end exactly
 * where they should.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_resp.h"

#include "check.h"

struct good {
	const char *name, *bytes;
	int status;
	uint64_t body;
	int keep_alive;
	int close_delimited;
};

static const struct good goods[] = {
    {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello", 200, 5, 1,
     0},
    {"chunked, extensions, trailers",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     "5;a=b;c=\"d e\"\r\nhello\r\n1A \t;x\r\nabcdefghijklmnopqrstuvwxyz\r\n"
     "0;last\r\nX-T: 1\r\nY: two words\r\n\r\n",
     200, 31, 1, 0},
    {"chunked upper-case hex and header",
     "HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: Chunked\r\n\r\n"
     "00B\r\n0123456789a\r\n0\r\n\r\n",
     200, 11, 1, 0},
    {"close-delimited 1.0", "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nabc", 200, 3, 0, 1},
    {"close-delimited 1.1", "HTTP/1.1 200 OK\r\n\r\nxyz12", 200, 5, 0, 1},
    {"204", "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", 204, 0, 1, 0},
    {"304", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", 304, 0, 1, 0},
    {"interim 100", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
     200, 2, 1, 0},
    {"connection close",
     "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 1\r\n\r\nx", 200, 1, 0,
     0},
    {"1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n",
     200, 0, 1, 0},
    {"same content-length twice",
     "HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length:3  \r\n\r\nabc", 200, 3, 1, 0},
    {"404", "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", 404, 9, 1, 0},
    {"empty reason", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", 200, 0, 1, 0},
    {"no reason", "HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n", 503, 0, 1, 0},
    {"empty header value, long name",
     "HTTP/1.1 200 OK\r\nX-Empty:\r\nX-A-Very-Long-Header-Name-Indeed: v\r\n"
     "Content-Length: 0\r\n\r\n",
     200, 0, 1, 0},
    {"obs-text in value", "HTTP/1.1 200 OK\r\nX: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n", 200, 0,
     1, 0},
};

static const struct {
	const char *name, *bytes;
	enum hresp_err err;
} bads[] = {
    {"conflicting content-length",
     "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
     HRESP_E_CONTENT_LENGTH},
    {"negative content-length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
     HRESP_E_CONTENT_LENGTH},
    {"content-length list", "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello",
     HRESP_E_CONTENT_LENGTH},
    {"content-length hex", "HTTP/1.1 200 OK\r\nContent-Length: 1a\r\n\r\n", HRESP_E_CONTENT_LENGTH},
    {"empty content-length", "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", HRESP_E_CONTENT_LENGTH},
    {"huge content-length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
     HRESP_E_CONTENT_LENGTH},
    {"gzip transfer-encoding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
     HRESP_E_TRANSFER_ENCODING},
    {"transfer-encoding twice",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
     HRESP_E_TRANSFER_ENCODING},
    {"transfer-encoding and content-length",
     "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: "
     "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
     HRESP_E_TRANSFER_ENCODING},
    {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
     HRESP_E_CHUNK},
    {"empty chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
     HRESP_E_CHUNK},
    {"chunk size overflow",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", HRESP_E_CHUNK},
    {"chunk data too long", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n",
     HRESP_E_CHUNK},
    {"chunk size then junk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\n",
     HRESP_E_CHUNK},
    {"obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", HRESP_E_HEADER},
    {"space before colon", "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello", HRESP_E_HEADER},
    {"bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", HRESP_E_STATUS_LINE},
    {"bare LF in headers", "HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n", HRESP_E_HEADER},
    {"NUL in value", "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", HRESP_E_HEADER},
    {"HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", HRESP_E_STATUS_LINE},
    {"lower-case version", "http/1.1 200 OK\r\n\r\n", HRESP_E_STATUS_LINE},
    {"two-digit status", "HTTP/1.1 20 OK\r\n\r\n", HRESP_E_STATUS_LINE},
    {"status 600", "HTTP/1.1 600 X\r\n\r\n", HRESP_E_STATUS_LINE},
    {"101", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", HRESP_E_STATUS_LINE},
    {"garbage", "hello world\r\n\r\n", HRESP_E_STATUS_LINE},
};

/* Feeds bytes in pieces of the given split points; returns rc of the last call. */
static int feed(struct hresp *r, const char *b, size_t len, size_t split, size_t *total)
{
	size_t pos = 0, used = 0;
	int rc = HRESP_MORE;

	*total = 0;
	while (pos < len) {
		size_t n = split ? (pos < split ? split - pos : len - pos) : len - pos;

		rc = hresp_parse(r, b + pos, n, &used);
		*total += used;
		if (rc != HRESP_MORE)
			return rc;
		pos += n;
	}
	return rc;
}

static int feed_bytewise(struct hresp *r, const char *b, size_t len, size_t *total)
{
	size_t used;
	int rc = HRESP_MORE;

	*total = 0;
	for (size_t i = 0; i < len; i++) {
		rc = hresp_parse(r, b + i, 1, &used);
		*total += used;
		if (rc != HRESP_MORE)
			return rc;
	}
	return rc;
}

static void check_good(const struct good *g)
{
	size_t len = strlen(g->bytes);
	int bad = 0;

	/* split == 0: whole; then every split point; then byte by byte. */
	for (size_t split = 0; split <= len + 1; split++) {
		struct hresp r;
		size_t total;
		int rc;

		hresp_init(&r);
		if (split <= len)
			rc = feed(&r, g->bytes, len, split, &total);
		else
			rc = feed_bytewise(&r, g->bytes, len, &total);
		if (g->close_delimited) {
			if (rc != HRESP_MORE || hresp_eof(&r) != HRESP_DONE)
				bad++;
		} else if (rc != HRESP_DONE || total != len) {
			bad++;
		}
		if (r.status != g->status || r.body_len != g->body || r.wire_len != len ||
		    r.keep_alive != g->keep_alive)
			bad++;
	}
	if (bad) {
		fprintf(stderr, "good response '%s': %d wrong parses\n", g->name, bad);
		check_failures++;
	}
}

static void check_bad(const char *name, const char *b, size_t len, enum hresp_err want)
{
	int bad = 0;

	for (size_t split = 0; split <= len + 1; split++) {
		struct hresp r;
		size_t total;
		int rc;

		hresp_init(&r);
		rc = split <= len ? feed(&r, b, len, split, &total)
				  : feed_bytewise(&r, b, len, &total);
		if (rc != HRESP_ERROR || r.err != want)
			bad++;
	}
	if (bad) {
		fprintf(stderr, "bad response '%s': accepted or wrong error in %d parses\n", name,
			bad);
		check_failures++;
	}
}

static void check_pipelined(void)
{
	const char *two =
	    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
	    "HTTP/1.1 404 Nope\r\nContent-Length: 0\r\n\r\n";
	size_t len = strlen(two), pos = 0, used;
	struct hresp r;
	int rc;

	hresp_init(&r);
	rc = hresp_parse(&r, two, len, &used);
	CHECK(rc == HRESP_DONE && used == 41 && r.body_len == 3);
	pos += used;
	hresp_init(&r);
	rc = hresp_parse(&r, two + pos, len - pos, &used);
	CHECK(rc == HRESP_DONE && r.body_len == 2 && r.status == 200);
	pos += used;
	hresp_init(&r);
	rc = hresp_parse(&r, two + pos, len - pos, &used);
	CHECK(rc == HRESP_DONE && r.status == 404 && pos + used == len);
}

static void check_limits_and_eof(void)
{
	size_t n = HRESP_MAX_HEADER + 100, used;
	char *big = malloc(n + 64);
	struct hresp r;

	/* A header section just over the limit is rejected ... */
	strcpy(big, "HTTP/1.1 200 OK\r\nX: ");
	memset(big + strlen(big), 'a', n);
	strcpy(big + 20 + n, "\r\n\r\n");
	hresp_init(&r);
	CHECK(hresp_parse(&r, big, strlen(big), &used) == HRESP_ERROR &&
	      r.err == HRESP_E_TOO_LARGE);
	/* ... one just under it is fine. */
	strcpy(big, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX: ");
	n = HRESP_MAX_HEADER - strlen(big) - 4;
	memset(big + strlen(big), 'a', n);
	strcpy(big + 39 + n, "\r\n\r\n");
	hresp_init(&r);
	CHECK(hresp_parse(&r, big, strlen(big), &used) == HRESP_DONE && used == HRESP_MAX_HEADER);
	free(big);

	/* EOF: nothing received is clean, inside a head or a counted body is truncation. */
	hresp_init(&r);
	CHECK(hresp_eof(&r) == HRESP_MORE);
	hresp_init(&r);
	CHECK(hresp_parse(&r, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 42, &used) ==
	      HRESP_MORE);
	CHECK(hresp_eof(&r) == HRESP_ERROR && r.err == HRESP_E_TRUNCATED);
	hresp_init(&r);
	CHECK(hresp_parse(&r, "HTTP/1.1 2", 10, &used) == HRESP_MORE);
	CHECK(hresp_eof(&r) == HRESP_ERROR);
	/* Feeding after DONE without hresp_init is an error, not a silent restart. */
	hresp_init(&r);
	CHECK(hresp_parse(&r, "HTTP/1.1 204 No\r\n\r\nX", 20, &used) == HRESP_DONE && used == 19);
	CHECK(hresp_parse(&r, "X", 1, &used) == HRESP_ERROR);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++)
		check_good(&goods[i]);
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		size_t len = strlen(bads[i].bytes);

		if (!strcmp(bads[i].name, "NUL in value"))
			len = 27;
		check_bad(bads[i].name, bads[i].bytes, len, bads[i].err);
	}
	check_pipelined();
	check_limits_and_eof();
	if (check_failures)
		fprintf(stderr, "%d check(s) failed\n", check_failures);
	else
		fprintf(stderr, "%zu good and %zu bad responses, every split: ok\n",
			sizeof(goods) / sizeof(goods[0]), sizeof(bads) / sizeof(bads[0]));
	return check_failures ? 1 : 0;
}
