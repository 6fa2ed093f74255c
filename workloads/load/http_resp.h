/*
 * Incremental, strict HTTP/1.x response parser for the load generator. A pure
 * function over bytes: no I/O, no allocation, all state in struct hresp, so a
 * response may arrive split at any byte and a fuzzer can drive it directly.
 *
 * Accepts: "HTTP/1.0" or "HTTP/1.1" status lines, CRLF line ends only, bodies
 * framed by Content-Length, by chunked transfer-coding (chunk extensions and
 * trailers are parsed and ignored) or by the connection closing; interim 1xx
 * responses (except 101) are skipped; 204 and 304 have no body.
 * Rejects (HRESP_ERROR, hresp.err says why): malformed lines, obs-fold,
 * whitespace before a colon, conflicting or malformed Content-Length, any
 * Transfer-Encoding other than exactly "chunked", Content-Length together with
 * Transfer-Encoding, bad chunk sizes, a status line + headers (or trailers)
 * over HRESP_MAX_HEADER bytes.
 */
#ifndef RS_HTTP_RESP_H
#define RS_HTTP_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HRESP_MAX_HEADER     16384 /* status line + header fields, and trailers apart */
#define HRESP_MAX_CHUNK_LINE 1024  /* chunk-size line including extensions */

enum hresp_rc {
	HRESP_ERROR = -1, /* the bytes are not a valid response; see err */
	HRESP_MORE = 0,	  /* every byte consumed, the response is not complete yet */
	HRESP_DONE = 1,	  /* one response complete; *used says where it ended */
};

enum hresp_err {
	HRESP_E_NONE,
	HRESP_E_STATUS_LINE,
	HRESP_E_HEADER,
	HRESP_E_TOO_LARGE,
	HRESP_E_CONTENT_LENGTH,
	HRESP_E_TRANSFER_ENCODING,
	HRESP_E_CHUNK,
	HRESP_E_TRUNCATED, /* the connection closed inside a response */
};

struct hresp {
	/* Results, valid once hresp_parse returned HRESP_DONE. */
	int status;	    /* 100..999 */
	int minor;	    /* HTTP/1.minor */
	uint64_t body_len;  /* body bytes after removing chunk framing */
	uint64_t wire_len;  /* bytes of this response as received, framing included */
	bool keep_alive;    /* false: the server will close (or closed) after it */
	enum hresp_err err; /* why HRESP_ERROR */

	/* Parser state: private. */
	uint8_t state;
	uint8_t field; /* which header the current line is (content-length, ...) */
	uint8_t idx;
	uint8_t name_len, val_len;
	bool have_cl, chunked, have_te, conn_close, conn_keep_alive, in_trailer, val_over;
	bool val_ws;	     /* Connection: whitespace after the current element's first byte */
	uint32_t line_bytes; /* header (or trailer) bytes so far, or chunk-line bytes */
	uint64_t content_length, remaining;
	char name[20];
	char val[64];
};

/* Resets r for a new response on the connection. */
void hresp_init(struct hresp *r);
/*
 * Feeds len bytes. Returns HRESP_MORE (all consumed), HRESP_DONE (*used bytes
 * consumed; any rest belongs to the next response: hresp_init and feed it) or
 * HRESP_ERROR. After DONE or ERROR, call hresp_init before feeding more.
 */
int hresp_parse(struct hresp *r, const char *buf, size_t len, size_t *used);
/*
 * The connection closed. HRESP_DONE if that ends a close-delimited body,
 * HRESP_MORE if no byte of a response had arrived, else HRESP_ERROR (truncated).
 */
int hresp_eof(struct hresp *r);
const char *hresp_strerror(enum hresp_err err);

#endif
