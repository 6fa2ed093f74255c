/*
 * A strict, incremental HTTP/1.1 message parser over byte buffers (RFC 9112), shared
 * by the origin and the proxy. No I/O, no allocation, no global state: every call
 * looks only at the buffer and the state struct it is given, so it can be fuzzed.
 *
 * Heads: http_head_parse() is called with the whole message so far (the buffer must
 * start at the message's first byte and keep every byte passed before); it resumes at
 * the first line it has not seen, so each byte is scanned once. It rejects what a
 * lenient parser would guess at: bare LF, obs-fold, whitespace before the colon,
 * non-token names, control bytes in values, conflicting Content-Length, a request
 * with both Content-Length and Transfer-Encoding (a smuggling attempt), a request
 * Transfer-Encoding whose last coding is not chunked, and HTTP/1.1 without exactly
 * one Host. A head longer than HTTP_MAX_HEAD, or with more than HTTP_MAX_HEADERS
 * fields, is "too large" (431).
 *
 * Bodies: http_body_init_*() pick the framing from a parsed head (length, chunked,
 * until close, or none for HEAD, 1xx, 204 and 304); http_body_feed() then walks body
 * bytes, with bounded chunk-size lines and trailers, and optionally decodes them.
 */
#ifndef RS_HTTP_H
#define RS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* RFC 9110 tchar (5.6.2): the bytes of a token (method, field name). */
static inline bool http_is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* field-vchar, SP or HTAB (obs-text allowed, as the RFC permits). */
static inline bool http_is_value_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

#define HTTP_MAX_HEAD	    16384 /* request/status line + fields + blank line */
#define HTTP_MAX_HEADERS    64
#define HTTP_MAX_CHUNK_LINE 1024 /* chunk-size line including extensions */

/* Results: > 0 done, 0 need more bytes, < 0 the message is invalid. */
enum http_result {
	HTTP_DONE = 1,
	HTTP_AGAIN = 0,
	HTTP_E_BAD = -1,       /* malformed: 400 (or 502 for a response) */
	HTTP_E_TOO_LARGE = -2, /* head or trailers too large: 431 */
	HTTP_E_VERSION = -3,   /* well-formed HTTP/x.y other than 1.0 and 1.1: 505 */
	HTTP_E_SMUGGLE = -4,   /* Content-Length with Transfer-Encoding: 400 */
	HTTP_E_TRUNCATED = -5, /* the peer closed before the body ended */
};

enum http_kind { HTTP_REQUEST, HTTP_RESPONSE };

enum http_method {
	HTTP_M_OTHER,
	HTTP_M_GET,
	HTTP_M_HEAD,
	HTTP_M_POST,
	HTTP_M_PUT,
	HTTP_M_DELETE,
	HTTP_M_OPTIONS,
	HTTP_M_PATCH,
	HTTP_M_CONNECT,
	HTTP_M_TRACE,
};

/* A byte range of the message buffer (heads are < 64 KiB, so 16 bits suffice). */
struct http_span {
	uint16_t off, len;
};

struct http_header {
	struct http_span name, value;
};

struct http_msg {
	/* Parser state. */
	uint8_t kind;	   /* enum http_kind */
	uint8_t line_no;   /* lines of the head seen (after skipped blank lines) */
	uint8_t skipped;   /* blank lines skipped before a request line */
	uint32_t pos;	   /* first byte not yet scanned */
	uint32_t head_len; /* set when done: bytes up to and including the blank line */

	/* Start line. */
	uint8_t method;	 /* enum http_method (requests) */
	uint8_t minor;	 /* HTTP/1.minor */
	uint16_t status; /* responses */
	struct http_span method_s, target, reason;

	/* Fields, in order. */
	uint16_t nheaders;
	struct http_header headers[HTTP_MAX_HEADERS];

	/* What the fields say about framing and the connection. */
	uint8_t hosts;	       /* Host fields seen */
	struct http_span host; /* value of the (first) Host field */
	bool has_cl;
	bool has_te;
	bool te_chunked;     /* the last transfer coding is chunked */
	bool te_bad;	     /* chunked applied twice or not last */
	bool conn_close;     /* Connection: close */
	bool conn_keepalive; /* Connection: keep-alive */
	bool conn_upgrade;   /* Connection: upgrade, or an Upgrade field */
	bool expect_continue;
	bool keep_alive; /* set when done: the connection may carry another message */
	uint64_t content_length;
};

enum http_body_mode { HTTP_BODY_NONE, HTTP_BODY_LENGTH, HTTP_BODY_CHUNKED, HTTP_BODY_CLOSE };

struct http_body {
	uint8_t mode;  /* enum http_body_mode */
	uint8_t state; /* chunked decoder state */
	bool done;
	bool size_digits;   /* chunk-size digits seen */
	uint32_t line;	    /* bytes of the current chunk-size or trailer line */
	uint32_t trailers;  /* bytes of trailer section so far */
	uint64_t remaining; /* of the body (length) or of the current chunk (chunked) */
	uint64_t total;	    /* decoded body bytes so far */
};

void http_msg_init(struct http_msg *m, enum http_kind kind);
/*
 * Parses the head in buf[0..len) (the message so far). Returns HTTP_DONE once the
 * blank line is in (m->head_len says where the body starts), HTTP_AGAIN for more
 * bytes, or a negative enum http_result. Calling again after DONE returns DONE.
 */
int http_head_parse(struct http_msg *m, const char *buf, size_t len);

/* Framing of a request body from its parsed head. */
void http_body_init_request(struct http_body *b, const struct http_msg *req);
/* Framing of a response body, given the method of the request it answers. */
void http_body_init_response(struct http_body *b, const struct http_msg *resp,
			     enum http_method req_method);
/*
 * Walks body bytes in[0..n). *used says how many belong to this message. Returns
 * HTTP_DONE when the body has ended (the rest of in is the next message), HTTP_AGAIN
 * when all n bytes were used and more are needed, or a negative enum http_result.
 * If out is non-NULL the decoded body bytes are appended there (at most n of them)
 * and *outlen is set to their count.
 */
int http_body_feed(struct http_body *b, const char *in, size_t n, size_t *used, char *out,
		   size_t *outlen);
/* The peer closed: DONE for a close-delimited body, HTTP_E_TRUNCATED otherwise. */
int http_body_eof(struct http_body *b);

/* The first field named name (case-insensitive), or NULL. */
const struct http_header *http_find_header(const struct http_msg *m, const char *buf,
					   const char *name);
/* Case-insensitive comparison of a span with a NUL-terminated string. */
bool http_span_eq(const char *buf, struct http_span s, const char *str);
/* The status code a server should answer a request parse error with (400, 431, 505). */
int http_error_status(int err);
/* Reason phrase for the status codes the servers generate. */
const char *http_reason(int status);
const char *http_result_str(int r);

#endif
