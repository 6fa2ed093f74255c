/*
 * Echo protocol: each request is --payload bytes that differ per connection and
 * per request (a hash of both stamps the first 8 bytes and picks the offset into
 * a shared random pattern), so a stale, reordered or misrouted echo fails the
 * check. Every echoed byte is compared, in order, as it arrives.
 */
#include <stdlib.h>
#include <string.h>

#include "load.h"

#define STAMP_BYTES 8
#define PATTERN_PAD 256

static unsigned char *pattern; /* payload + PATTERN_PAD random bytes, read-only */
static uint64_t payload;

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t req_key(const struct load_conn *c, uint64_t seq)
{
	return mix64(((uint64_t)c->id << 40) ^ seq);
}

static size_t echo_setup(const struct load_opts *o)
{
	uint64_t s = 0x2545f4914f6cdd1dull;

	payload = o->payload;
	pattern = malloc(payload + PATTERN_PAD);
	if (!pattern)
		return 0;
	for (uint64_t i = 0; i < payload + PATTERN_PAD; i++) {
		s = mix64(s);
		pattern[i] = (unsigned char)s;
	}
	return payload;
}

static void echo_conn_reset(struct load_conn *c)
{
	c->p.echo.off = 0;
}

/* Byte i of request key k: the stamp, then the pattern from a per-request offset. */
static size_t echo_fill(const struct load_conn *c, uint64_t seq, uint64_t off, char *buf,
			size_t cap)
{
	uint64_t k = req_key(c, seq), n = payload - off, i = off;
	const unsigned char *p = pattern + (k >> 56);

	if (n > cap)
		n = cap;
	for (; i < STAMP_BYTES && i < off + n; i++)
		buf[i - off] = (char)(k >> (8 * i));
	memcpy(buf + (i - off), p + i, off + n - i);
	return n;
}

static enum load_rc echo_consume(struct load_conn *c, const char *buf, size_t len, size_t *used,
				 struct load_resp *r)
{
	uint64_t k = req_key(c, c->done), off = c->p.echo.off, n = payload - off, i = off;
	const unsigned char *p = pattern + (k >> 56);

	if (n > len)
		n = len;
	for (; i < STAMP_BYTES && i < off + n; i++) {
		if ((unsigned char)buf[i - off] != (unsigned char)(k >> (8 * i)))
			return LOAD_BAD;
	}
	if (memcmp(buf + (i - off), p + i, off + n - i))
		return LOAD_BAD;
	*used = n;
	if (off + n < payload) {
		c->p.echo.off = off + n;
		return LOAD_MORE;
	}
	c->p.echo.off = 0;
	r->bytes = payload;
	r->ok = true;
	return LOAD_DONE;
}

static enum load_rc echo_eof(struct load_conn *c, struct load_resp *r)
{
	return c->p.echo.off ? LOAD_BAD : LOAD_MORE;
}

const struct load_proto load_proto_echo = {
    .name = "echo",
    .setup = echo_setup,
    .conn_reset = echo_conn_reset,
    .fill = echo_fill,
    .consume = echo_consume,
    .eof = echo_eof,
};
