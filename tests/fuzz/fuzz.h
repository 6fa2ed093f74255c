/*
 * Shared by the libFuzzer targets: the split schedule (how a target cuts its input
 * into the pieces it feeds an incremental parser), invariant checks that abort, and
 * ASan poisoning of the bytes not fed yet, so a parser reading past what it was given
 * is reported even when those bytes are in the same buffer.
 *
 * Input layout of every target: byte 0 is the split seed (bits 0-2: piece-size scale,
 * 0 = one byte at a time; bits 3-7: PRNG seed; the response targets also read bit 7
 * as "the request was HEAD"), the rest is the byte stream of one connection.
 */
#ifndef RS_FUZZ_H
#define RS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#define FUZZ_POISON(p, n)   ASAN_POISON_MEMORY_REGION(p, n)
#define FUZZ_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define FUZZ_POISON(p, n)   ((void)(p), (void)(n))
#define FUZZ_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* An invariant that must hold whatever the input: the fuzzer reports the abort. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Piece sizes for feeding a stream: whole (seed < 0), else pseudo-random. */
struct fuzz_split {
	int whole;
	unsigned scale; /* pieces are 1..2^scale bytes */
	uint32_t state; /* xorshift32 */
};

static inline void fuzz_split_init(struct fuzz_split *s, int whole, uint8_t seed)
{
	s->whole = whole;
	s->scale = seed & 7;
	s->state = 0x9e3779b9u ^ ((uint32_t)(seed >> 3) * 0x01000193u);
}

/* How many more bytes to make available, given left bytes not fed yet. */
static inline size_t fuzz_split_next(struct fuzz_split *s, size_t left)
{
	size_t n;

	if (s->whole)
		return left;
	s->state ^= s->state << 13;
	s->state ^= s->state >> 17;
	s->state ^= s->state << 5;
	n = 1 + (s->state & ((1u << (s->scale * 2)) - 1)); /* scale 7: up to 16 KiB */
	return n < left ? n : left;
}

/*
 * A heap copy of the stream with the not-yet-fed tail poisoned: fuzz_stream_feed()
 * makes the next piece readable.
 */
struct fuzz_stream {
	char *buf;
	size_t len, fed;
	struct fuzz_split split;
};

static inline void fuzz_stream_open(struct fuzz_stream *st, const uint8_t *data, size_t len,
				    int whole, uint8_t seed)
{
	st->buf = malloc(len ? len : 1);
	FUZZ_CHECK(st->buf != NULL);
	for (size_t i = 0; i < len; i++)
		st->buf[i] = (char)data[i];
	st->len = len;
	st->fed = 0;
	FUZZ_POISON(st->buf, len);
	fuzz_split_init(&st->split, whole, seed);
}

/* Makes the next piece available; 0 when the stream is exhausted. */
static inline size_t fuzz_stream_feed(struct fuzz_stream *st)
{
	size_t n = fuzz_split_next(&st->split, st->len - st->fed);

	FUZZ_UNPOISON(st->buf + st->fed, n);
	st->fed += n;
	return n;
}

static inline void fuzz_stream_close(struct fuzz_stream *st)
{
	FUZZ_UNPOISON(st->buf, st->len);
	free(st->buf);
}

/* FNV-1a over decoded body bytes, to compare whole and split runs. */
static inline uint32_t fuzz_hash(uint32_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 0x01000193u;
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
