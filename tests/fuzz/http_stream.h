/*
 * Drives workloads/common/http.c over one connection's byte stream, as the origin
 * (requests) and the proxy (responses) do: head, body, next pipelined message. The
 * result is a trace of every message, so runs fed whole and fed in pieces can be
 * compared; every call's invariants are checked on the way (see fuzz.h).
 */
#ifndef RS_FUZZ_HTTP_STREAM_H
#define RS_FUZZ_HTTP_STREAM_H

#include <stdint.h>

#include "http.h"

#define HS_MAX_MSGS 64

struct hs_msg {
	int32_t rc; /* last result: DONE, AGAIN (input ended) or an error */
	uint32_t head_len;
	uint16_t status, nheaders;
	uint8_t method, minor, keep_alive, mode;
	uint64_t content_length, body_total, end; /* end: stream offset after the message */
	uint32_t body_hash;
};

struct hs_trace {
	uint32_t nmsgs;
	struct hs_msg msgs[HS_MAX_MSGS];
};

/* Runs the stream data[0..len) fed whole (whole != 0) or in pieces from seed. */
void hs_run(enum http_kind kind, enum http_method req_method, const uint8_t *data, size_t len,
	    int whole, uint8_t seed, struct hs_trace *t);

/* The target: whole vs split must give the same trace. */
int hs_fuzz(enum http_kind kind, const uint8_t *data, size_t size);

#endif
