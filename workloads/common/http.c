/*
 * Strict incremental HTTP/1.1 head parser and body framing (see http.h). Pure
 * functions over caller buffers: no I/O, no allocation, no globals.
 */
#include <string.h>
#include <strings.h>

#include "http.h"

static bool is_hex(unsigned char c, unsigned *v)
{
	if (c >= '0' && c <= '9')
		*v = c - '0';
	else if (c >= 'a' && c <= 'f')
		*v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		*v = c - 'A' + 10;
	else
		return false;
	return true;
}

static struct http_span span(size_t off, size_t len)
{
	return (struct http_span){.off = (uint16_t)off, .len = (uint16_t)len};
}

bool http_span_eq(const char *buf, struct http_span s, const char *str)
{
	return strlen(str) == s.len && strncasecmp(buf + s.off, str, s.len) == 0;
}

void http_msg_init(struct http_msg *m, enum http_kind kind)
{
	m->kind = kind;
	m->line_no = 0;
	m->skipped = 0;
	m->pos = 0;
	m->head_len = 0;
	m->method = HTTP_M_OTHER;
	m->minor = 1;
	m->status = 0;
	m->method_s = m->target = m->reason = span(0, 0);
	m->nheaders = 0;
	m->hosts = 0;
	m->host = span(0, 0);
	m->has_cl = m->has_te = m->te_chunked = m->te_bad = false;
	m->conn_close = m->conn_keepalive = m->conn_upgrade = m->expect_continue = false;
	m->keep_alive = false;
	m->content_length = 0;
}

static const struct {
	const char *name;
	enum http_method m;
} methods[] = {
    {"GET", HTTP_M_GET},     {"HEAD", HTTP_M_HEAD},	  {"POST", HTTP_M_POST},
    {"PUT", HTTP_M_PUT},     {"DELETE", HTTP_M_DELETE},	  {"OPTIONS", HTTP_M_OPTIONS},
    {"PATCH", HTTP_M_PATCH}, {"CONNECT", HTTP_M_CONNECT}, {"TRACE", HTTP_M_TRACE},
};

/* "HTTP/1.0" or "HTTP/1.1" at p (exactly 8 bytes available). */
static int parse_version(const char *p, uint8_t *minor)
{
	if (memcmp(p, "HTTP/", 5) != 0 || p[6] != '.' || p[5] < '0' || p[5] > '9' || p[7] < '0' ||
	    p[7] > '9')
		return HTTP_E_BAD;
	if (p[5] != '1' || (p[7] != '0' && p[7] != '1'))
		return HTTP_E_VERSION;
	*minor = p[7] - '0';
	return HTTP_DONE;
}

/* method SP request-target SP HTTP-version */
static int parse_request_line(struct http_msg *m, const char *buf, size_t s, size_t e)
{
	size_t i = s, t;
	unsigned k;

	while (i < e && http_is_tchar(buf[i]))
		i++;
	if (i == s || i >= e || buf[i] != ' ')
		return HTTP_E_BAD;
	m->method_s = span(s, i - s);
	for (k = 0; k < sizeof(methods) / sizeof(methods[0]); k++)
		if (m->method_s.len == strlen(methods[k].name) &&
		    memcmp(buf + s, methods[k].name, m->method_s.len) == 0)
			m->method = methods[k].m;
	t = ++i;
	while (i < e && (unsigned char)buf[i] > 0x20 && (unsigned char)buf[i] < 0x7f)
		i++;
	if (i == t || i >= e || buf[i] != ' ')
		return HTTP_E_BAD;
	m->target = span(t, i - t);
	i++;
	if (e - i != 8)
		return HTTP_E_BAD;
	return parse_version(buf + i, &m->minor);
}

/* HTTP-version SP 3DIGIT SP [reason-phrase] */
static int parse_status_line(struct http_msg *m, const char *buf, size_t s, size_t e)
{
	int r;

	if (e - s < 12 || buf[s + 8] != ' ' || (e - s > 12 && buf[s + 12] != ' '))
		return HTTP_E_BAD; /* the reason phrase may be empty, its SP missing */
	r = parse_version(buf + s, &m->minor);
	if (r != HTTP_DONE)
		return r;
	for (int i = 9; i < 12; i++)
		if (buf[s + i] < '0' || buf[s + i] > '9')
			return HTTP_E_BAD;
	m->status = (buf[s + 9] - '0') * 100 + (buf[s + 10] - '0') * 10 + (buf[s + 11] - '0');
	if (m->status < 100)
		return HTTP_E_BAD;
	if (e - s > 12) {
		for (size_t i = s + 13; i < e; i++)
			if (!http_is_value_char(buf[i]))
				return HTTP_E_BAD;
		m->reason = span(s + 13, e - s - 13);
	}
	return HTTP_DONE;
}

/* Content-Length: 1*DIGIT, or a list of identical values ("5, 5"). */
static int parse_content_length(struct http_msg *m, const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint64_t val = 0;
		size_t d = 0;

		while (i < n && v[i] >= '0' && v[i] <= '9') {
			if (++d > 18)
				return HTTP_E_BAD;
			val = val * 10 + (v[i++] - '0');
		}
		if (!d)
			return HTTP_E_BAD;
		if (m->has_cl && val != m->content_length)
			return HTTP_E_BAD;
		m->has_cl = true;
		m->content_length = val;
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i == n)
			break;
		if (v[i++] != ',')
			return HTTP_E_BAD;
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i == n)
			return HTTP_E_BAD;
	}
	return HTTP_DONE;
}

/*
 * Calls fn for each comma-separated element (trimmed, parameters included) of a
 * list value; empty elements are skipped as the RFC asks.
 */
static void for_each_element(struct http_msg *m, const char *buf, size_t s, size_t e,
			     void (*fn)(struct http_msg *m, const char *p, size_t n))
{
	size_t i = s;

	while (i < e) {
		size_t a, b;

		while (i < e && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == ','))
			i++;
		a = i;
		while (i < e && buf[i] != ',')
			i++;
		b = i;
		while (b > a && (buf[b - 1] == ' ' || buf[b - 1] == '\t'))
			b--;
		if (b > a)
			fn(m, buf + a, b - a);
	}
}

static bool eq(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && strncasecmp(p, s, n) == 0;
}

static void te_element(struct http_msg *m, const char *p, size_t n)
{
	if (m->te_chunked)
		m->te_bad = true; /* a coding after chunked, or chunked twice */
	m->te_chunked = eq(p, n, "chunked");
	m->has_te = true;
}

static void connection_element(struct http_msg *m, const char *p, size_t n)
{
	if (eq(p, n, "close"))
		m->conn_close = true;
	else if (eq(p, n, "keep-alive"))
		m->conn_keepalive = true;
	else if (eq(p, n, "upgrade"))
		m->conn_upgrade = true;
}

/* field-name ":" OWS field-value OWS */
static int parse_field(struct http_msg *m, const char *buf, size_t s, size_t e)
{
	size_t i = s, vs, ve;
	struct http_header *h;

	if (buf[s] == ' ' || buf[s] == '\t')
		return HTTP_E_BAD; /* obs-fold */
	while (i < e && http_is_tchar(buf[i]))
		i++;
	if (i == s || i >= e || buf[i] != ':')
		return HTTP_E_BAD; /* empty name, or whitespace before the colon */
	vs = i + 1;
	while (vs < e && (buf[vs] == ' ' || buf[vs] == '\t'))
		vs++;
	ve = e;
	while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t'))
		ve--;
	for (size_t k = vs; k < ve; k++)
		if (!http_is_value_char(buf[k]))
			return HTTP_E_BAD;
	if (m->nheaders >= HTTP_MAX_HEADERS)
		return HTTP_E_TOO_LARGE;
	h = &m->headers[m->nheaders++];
	h->name = span(s, i - s);
	h->value = span(vs, ve - vs);

	if (http_span_eq(buf, h->name, "content-length")) {
		if (ve == vs || parse_content_length(m, buf + vs, ve - vs) != HTTP_DONE)
			return HTTP_E_BAD;
	} else if (http_span_eq(buf, h->name, "transfer-encoding")) {
		if (ve == vs)
			return HTTP_E_BAD;
		for_each_element(m, buf, vs, ve, te_element);
	} else if (http_span_eq(buf, h->name, "connection")) {
		for_each_element(m, buf, vs, ve, connection_element);
	} else if (http_span_eq(buf, h->name, "host")) {
		if (m->hosts++ == 0)
			m->host = h->value;
	} else if (http_span_eq(buf, h->name, "upgrade")) {
		m->conn_upgrade = true;
	} else if (http_span_eq(buf, h->name, "expect")) {
		m->expect_continue = eq(buf + vs, ve - vs, "100-continue");
	}
	return HTTP_AGAIN;
}

/* The blank line: check the fields together and settle keep-alive. */
static int finish_head(struct http_msg *m)
{
	if (m->has_te && m->has_cl)
		return m->kind == HTTP_REQUEST ? HTTP_E_SMUGGLE : HTTP_E_BAD;
	if (m->te_bad)
		return HTTP_E_BAD;
	if (m->kind == HTTP_REQUEST) {
		if (m->has_te && (!m->te_chunked || m->minor == 0))
			return HTTP_E_BAD;
		if (m->hosts > 1 || (m->minor == 1 && m->hosts != 1))
			return HTTP_E_BAD;
	}
	if (m->minor == 1)
		m->keep_alive = !m->conn_close;
	else
		m->keep_alive = m->conn_keepalive && !m->conn_close;
	/* A response whose end is the connection's end cannot be followed by another. */
	if (m->kind == HTTP_RESPONSE && m->has_te && !m->te_chunked)
		m->keep_alive = false;
	m->head_len = m->pos;
	return HTTP_DONE;
}

static int parse_line(struct http_msg *m, const char *buf, size_t s, size_t e)
{
	int r;

	if (m->line_no == 0) {
		if (s == e) {
			/* RFC 9112 2.2: ignore a few CRLFs before a request line. */
			if (m->kind == HTTP_REQUEST && ++m->skipped <= 4)
				return HTTP_AGAIN;
			return HTTP_E_BAD;
		}
		m->line_no = 1;
		r = m->kind == HTTP_REQUEST ? parse_request_line(m, buf, s, e)
					    : parse_status_line(m, buf, s, e);
		return r == HTTP_DONE ? HTTP_AGAIN : r;
	}
	if (s == e)
		return finish_head(m);
	if (m->line_no < 255)
		m->line_no++;
	return parse_field(m, buf, s, e);
}

int http_head_parse(struct http_msg *m, const char *buf, size_t len)
{
	size_t limit = len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD;

	if (m->head_len)
		return HTTP_DONE;
	while (m->pos < limit) {
		const char *nl = memchr(buf + m->pos, '\n', limit - m->pos);
		size_t s = m->pos, eol;
		int r;

		if (!nl)
			break;
		eol = nl - buf;
		if (eol == s || buf[eol - 1] != '\r')
			return HTTP_E_BAD; /* bare LF */
		m->pos = eol + 1;
		r = parse_line(m, buf, s, eol - 1);
		if (r != HTTP_AGAIN)
			return r;
	}
	/* A bare CR, NUL or other control byte in a line is caught when it ends. */
	if (len >= HTTP_MAX_HEAD)
		return HTTP_E_TOO_LARGE;
	return HTTP_AGAIN;
}

/* Chunked decoder states. */
enum {
	CH_SIZE,
	CH_SIZE_BWS,
	CH_EXT,
	CH_SIZE_LF,
	CH_DATA,
	CH_DATA_CR,
	CH_DATA_LF,
	CH_TRAILER_START,
	CH_TRAILER_NAME,
	CH_TRAILER_VALUE,
	CH_TRAILER_LF,
	CH_END_LF,
};

static void body_init(struct http_body *b, enum http_body_mode mode, uint64_t len)
{
	*b = (struct http_body){.mode = mode, .state = CH_SIZE, .remaining = len};
	b->done = mode == HTTP_BODY_NONE || (mode == HTTP_BODY_LENGTH && len == 0);
}

void http_body_init_request(struct http_body *b, const struct http_msg *req)
{
	if (req->te_chunked)
		body_init(b, HTTP_BODY_CHUNKED, 0);
	else if (req->has_cl)
		body_init(b, HTTP_BODY_LENGTH, req->content_length);
	else
		body_init(b, HTTP_BODY_NONE, 0);
}

void http_body_init_response(struct http_body *b, const struct http_msg *resp,
			     enum http_method req_method)
{
	if (req_method == HTTP_M_HEAD || resp->status < 200 || resp->status == 204 ||
	    resp->status == 304)
		body_init(b, HTTP_BODY_NONE, 0);
	else if (resp->has_te)
		body_init(b, resp->te_chunked ? HTTP_BODY_CHUNKED : HTTP_BODY_CLOSE, 0);
	else if (resp->has_cl)
		body_init(b, HTTP_BODY_LENGTH, resp->content_length);
	else
		body_init(b, HTTP_BODY_CLOSE, 0);
}

static int chunked_step(struct http_body *b, unsigned char c)
{
	unsigned v;

	switch (b->state) {
	case CH_SIZE:
		if (is_hex(c, &v)) {
			if (b->remaining >> 56)
				return HTTP_E_BAD; /* over 2^60: no honest chunk is this big */
			b->remaining = b->remaining << 4 | v;
			b->size_digits = true;
		} else if (!b->size_digits) {
			return HTTP_E_BAD;
		} else if (c == ' ' || c == '\t') {
			b->state = CH_SIZE_BWS;
		} else if (c == ';') {
			b->state = CH_EXT;
		} else if (c == '\r') {
			b->state = CH_SIZE_LF;
		} else {
			return HTTP_E_BAD;
		}
		break;
	case CH_SIZE_BWS:
		if (c == ';')
			b->state = CH_EXT;
		else if (c == '\r')
			b->state = CH_SIZE_LF;
		else if (c != ' ' && c != '\t')
			return HTTP_E_BAD;
		break;
	case CH_EXT:
		if (c == '\r')
			b->state = CH_SIZE_LF;
		else if (!http_is_value_char(c))
			return HTTP_E_BAD;
		break;
	case CH_SIZE_LF:
		if (c != '\n')
			return HTTP_E_BAD;
		b->line = 0;
		b->size_digits = false;
		b->state = b->remaining ? CH_DATA : CH_TRAILER_START;
		return HTTP_AGAIN;
	case CH_DATA_CR:
		if (c != '\r')
			return HTTP_E_BAD;
		b->state = CH_DATA_LF;
		break;
	case CH_DATA_LF:
		if (c != '\n')
			return HTTP_E_BAD;
		b->state = CH_SIZE;
		b->line = 0;
		return HTTP_AGAIN;
	case CH_TRAILER_START:
		if (c == '\r')
			b->state = CH_END_LF;
		else if (http_is_tchar(c))
			b->state = CH_TRAILER_NAME;
		else
			return HTTP_E_BAD;
		break;
	case CH_TRAILER_NAME:
		if (c == ':')
			b->state = CH_TRAILER_VALUE;
		else if (!http_is_tchar(c))
			return HTTP_E_BAD;
		break;
	case CH_TRAILER_VALUE:
		if (c == '\r')
			b->state = CH_TRAILER_LF;
		else if (!http_is_value_char(c))
			return HTTP_E_BAD;
		break;
	case CH_TRAILER_LF:
		if (c != '\n')
			return HTTP_E_BAD;
		b->state = CH_TRAILER_START;
		break;
	case CH_END_LF:
		if (c != '\n')
			return HTTP_E_BAD;
		b->done = true;
		return HTTP_DONE;
	default:
		return HTTP_E_BAD;
	}
	if (b->state >= CH_TRAILER_START) {
		if (++b->trailers > HTTP_MAX_HEAD)
			return HTTP_E_TOO_LARGE;
	} else if (++b->line > HTTP_MAX_CHUNK_LINE) {
		return HTTP_E_BAD;
	}
	return HTTP_AGAIN;
}

int http_body_feed(struct http_body *b, const char *in, size_t n, size_t *used, char *out,
		   size_t *outlen)
{
	size_t i = 0, o = 0;
	int r = HTTP_AGAIN;

	if (b->done) {
		*used = 0;
		if (outlen)
			*outlen = 0;
		return HTTP_DONE;
	}
	switch (b->mode) {
	case HTTP_BODY_CLOSE:
		i = n;
		if (out)
			memcpy(out, in, n);
		o = n;
		break;
	case HTTP_BODY_LENGTH:
		i = n < b->remaining ? n : (size_t)b->remaining;
		if (out)
			memcpy(out, in, i);
		o = i;
		b->remaining -= i;
		if (!b->remaining) {
			b->done = true;
			r = HTTP_DONE;
		}
		break;
	case HTTP_BODY_CHUNKED:
		while (i < n && r == HTTP_AGAIN) {
			if (b->state == CH_DATA) {
				size_t k = n - i < b->remaining ? n - i : (size_t)b->remaining;

				if (out)
					memcpy(out + o, in + i, k);
				o += k;
				i += k;
				b->remaining -= k;
				if (!b->remaining)
					b->state = CH_DATA_CR;
				continue;
			}
			r = chunked_step(b, in[i++]);
		}
		break;
	}
	b->total += o;
	*used = i;
	if (outlen)
		*outlen = o;
	return r;
}

int http_body_eof(struct http_body *b)
{
	if (b->done)
		return HTTP_DONE;
	if (b->mode == HTTP_BODY_CLOSE) {
		b->done = true;
		return HTTP_DONE;
	}
	return HTTP_E_TRUNCATED;
}

const struct http_header *http_find_header(const struct http_msg *m, const char *buf,
					   const char *name)
{
	for (unsigned i = 0; i < m->nheaders; i++)
		if (http_span_eq(buf, m->headers[i].name, name))
			return &m->headers[i];
	return NULL;
}

int http_error_status(int err)
{
	switch (err) {
	case HTTP_E_TOO_LARGE:
		return 431;
	case HTTP_E_VERSION:
		return 505;
	default:
		return 400;
	}
}

const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 408:
		return "Request Timeout";
	case 431:
		return "Request Header Fields Too Large";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Unknown";
	}
}

const char *http_result_str(int r)
{
	switch (r) {
	case HTTP_DONE:
		return "done";
	case HTTP_AGAIN:
		return "incomplete";
	case HTTP_E_BAD:
		return "malformed";
	case HTTP_E_TOO_LARGE:
		return "too large";
	case HTTP_E_VERSION:
		return "unsupported version";
	case HTTP_E_SMUGGLE:
		return "Content-Length with Transfer-Encoding";
	case HTTP_E_TRUNCATED:
		return "truncated";
	default:
		return "?";
	}
}
