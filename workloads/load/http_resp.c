/*
 * Strict incremental HTTP/1.x response parser (see http_resp.h): a byte-level
 * state machine for the status line, header fields, chunk lines and trailers,
 * and bulk skipping for body bytes. Pure: no I/O, no allocation, no globals.
 */
#include <string.h>

#include "http.h"
#include "http_resp.h"

enum {
	S_VERSION, /* "HTTP/1." matched up to idx */
	S_MINOR,
	S_VER_SP,
	S_CODE, /* idx digits of the status code so far */
	S_CODE_END,
	S_REASON,
	S_STATUS_LF,
	S_HDR_START, /* start of a header (or trailer) line */
	S_NAME,
	S_VALUE_OWS,
	S_VALUE,
	S_HDR_LF,
	S_HDRS_END_LF,
	S_BODY,	      /* Content-Length body: remaining bytes */
	S_BODY_EOF,   /* close-delimited body */
	S_CHUNK_SIZE, /* idx hex digits so far, value in remaining */
	S_CHUNK_WS,   /* whitespace after the size */
	S_CHUNK_EXT,  /* chunk extensions, skipped */
	S_CHUNK_SIZE_LF,
	S_CHUNK_DATA,
	S_CHUNK_DATA_CR,
	S_CHUNK_DATA_LF,
	S_DONE,
};

enum { F_OTHER, F_CONTENT_LENGTH, F_TRANSFER_ENCODING, F_CONNECTION };

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

void hresp_init(struct hresp *r)
{
	memset(r, 0, sizeof(*r));
	r->state = S_VERSION;
}

/* Resets the header-related state for the next response head (after a 1xx). */
static void head_reset(struct hresp *r)
{
	uint64_t wire = r->wire_len;

	hresp_init(r);
	r->wire_len = wire;
}

/* True when the stored value equals word, case-insensitively. */
static bool val_is(const char *v, size_t n, const char *word)
{
	if (strlen(word) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (lower((unsigned char)v[i]) != word[i])
			return false;
	}
	return true;
}

/*
 * One element of a Connection list ended (at a comma or the line's end). Elements
 * are tokens, so only their bytes are kept (in val) and the whole list may be any
 * length: a "close" after 64 bytes of other options still counts.
 */
static void connection_element(struct hresp *r)
{
	if (!r->val_over && val_is(r->val, r->val_len, "close"))
		r->conn_close = true;
	else if (!r->val_over && val_is(r->val, r->val_len, "keep-alive"))
		r->conn_keep_alive = true;
	r->val_len = 0;
	r->val_over = r->val_ws = false;
}

/* One byte of a Connection value: elements are split at commas, OWS trimmed. */
static void connection_byte(struct hresp *r, unsigned char c)
{
	if (c == ',') {
		connection_element(r);
	} else if (c == ' ' || c == '\t') {
		r->val_ws = r->val_len > 0;
	} else if (r->val_ws || r->val_len == sizeof(r->val)) {
		r->val_over = true; /* "clo se" or too long: not an option we know */
	} else {
		r->val[r->val_len++] = (char)c;
	}
}

/* One complete header line: act on the fields that frame the message. */
static int header_done(struct hresp *r)
{
	size_t n = r->val_len;
	uint64_t v = 0;

	while (n && (r->val[n - 1] == ' ' || r->val[n - 1] == '\t'))
		n--;
	switch (r->field) {
	case F_CONTENT_LENGTH:
		if (r->val_over || n == 0 || n > 18) {
			r->err = HRESP_E_CONTENT_LENGTH;
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			if (r->val[i] < '0' || r->val[i] > '9') {
				r->err = HRESP_E_CONTENT_LENGTH;
				return -1;
			}
			v = v * 10 + (uint64_t)(r->val[i] - '0');
		}
		if (r->have_cl && v != r->content_length) {
			r->err = HRESP_E_CONTENT_LENGTH;
			return -1;
		}
		r->have_cl = true;
		r->content_length = v;
		break;
	case F_TRANSFER_ENCODING:
		if (r->have_te || r->val_over || !val_is(r->val, n, "chunked")) {
			r->err = HRESP_E_TRANSFER_ENCODING;
			return -1;
		}
		r->have_te = r->chunked = true;
		break;
	case F_CONNECTION:
		connection_element(r);
		break;
	}
	return 0;
}

static void identify_field(struct hresp *r)
{
	static const struct {
		const char *name;
		uint8_t field;
	} known[] = {
	    {"content-length", F_CONTENT_LENGTH},
	    {"transfer-encoding", F_TRANSFER_ENCODING},
	    {"connection", F_CONNECTION},
	};

	r->field = F_OTHER;
	if (r->in_trailer || r->name_len > sizeof(r->name))
		return;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strlen(known[i].name) == r->name_len &&
		    !memcmp(known[i].name, r->name, r->name_len))
			r->field = known[i].field;
	}
}

/*
 * The empty line after the headers: decide how the body is framed.
 * Returns 1 when the response is complete, 0 to go on, -1 on error.
 */
static int headers_done(struct hresp *r)
{
	if (r->in_trailer)
		return 1;
	if (r->status < 200) {
		if (r->status == 101) {
			r->err = HRESP_E_STATUS_LINE;
			return -1;
		}
		head_reset(r); /* interim response: the real one follows */
		return 0;
	}
	if (r->have_te && r->have_cl) {
		r->err = HRESP_E_TRANSFER_ENCODING;
		return -1;
	}
	r->keep_alive = r->minor >= 1 ? !r->conn_close : r->conn_keep_alive && !r->conn_close;
	if (r->status == 204 || r->status == 304)
		return 1;
	if (r->chunked) {
		r->state = S_CHUNK_SIZE;
		r->idx = 0;
		r->remaining = 0;
		r->line_bytes = 0;
		return 0;
	}
	if (r->have_cl) {
		if (!r->content_length)
			return 1;
		r->remaining = r->content_length;
		r->state = S_BODY;
		return 0;
	}
	r->keep_alive = false;
	r->state = S_BODY_EOF;
	return 0;
}

static bool in_chunk_line(uint8_t s)
{
	return s >= S_CHUNK_SIZE && s <= S_CHUNK_SIZE_LF;
}

/* One byte of a head, chunk line or trailer. 1 = complete, 0 = go on, -1 = error. */
static int step(struct hresp *r, unsigned char c)
{
	static const char version[] = "HTTP/1.";
	int h;

	switch (r->state) {
	case S_VERSION:
		if (c != (unsigned char)version[r->idx])
			goto bad_status;
		if (++r->idx == sizeof(version) - 1)
			r->state = S_MINOR;
		return 0;
	case S_MINOR:
		if (c < '0' || c > '9')
			goto bad_status;
		r->minor = c - '0';
		r->state = S_VER_SP;
		return 0;
	case S_VER_SP:
		if (c != ' ')
			goto bad_status;
		r->state = S_CODE;
		r->idx = 0;
		return 0;
	case S_CODE:
		if (c < '0' || c > '9' || (r->idx == 0 && (c < '1' || c > '5')))
			goto bad_status;
		r->status = r->status * 10 + (c - '0');
		if (++r->idx == 3)
			r->state = S_CODE_END;
		return 0;
	case S_CODE_END:
		if (c == ' ')
			r->state = S_REASON;
		else if (c == '\r')
			r->state = S_STATUS_LF;
		else
			goto bad_status;
		return 0;
	case S_REASON:
		if (c == '\r')
			r->state = S_STATUS_LF;
		else if (!http_is_value_char(c))
			goto bad_status;
		return 0;
	case S_STATUS_LF:
		if (c != '\n')
			goto bad_status;
		r->state = S_HDR_START;
		return 0;
	case S_HDR_START:
		if (c == '\r') {
			r->state = S_HDRS_END_LF;
			return 0;
		}
		if (!http_is_tchar(c))
			goto bad_header;
		r->name_len = 0;
		r->state = S_NAME;
		/* fall through */
	case S_NAME:
		if (c == ':') {
			identify_field(r);
			r->val_len = 0;
			r->val_over = r->val_ws = false;
			r->state = S_VALUE_OWS;
			return 0;
		}
		if (!http_is_tchar(c))
			goto bad_header;
		if (r->name_len < sizeof(r->name))
			r->name[r->name_len] = (char)lower(c);
		if (r->name_len <= sizeof(r->name))
			r->name_len++;
		return 0;
	case S_VALUE_OWS:
		if (c == ' ' || c == '\t')
			return 0;
		r->state = S_VALUE;
		/* fall through */
	case S_VALUE:
		if (c == '\r') {
			r->state = S_HDR_LF;
			return 0;
		}
		if (!http_is_value_char(c))
			goto bad_header;
		if (r->field == F_CONNECTION) {
			connection_byte(r, c);
		} else if (r->field != F_OTHER) {
			if (r->val_len < sizeof(r->val))
				r->val[r->val_len++] = (char)c;
			else
				r->val_over = true;
		}
		return 0;
	case S_HDR_LF:
		if (c != '\n')
			goto bad_header;
		if (header_done(r))
			return -1;
		r->state = S_HDR_START;
		return 0;
	case S_HDRS_END_LF:
		if (c != '\n')
			goto bad_header;
		return headers_done(r);
	case S_CHUNK_SIZE:
		h = hexval(c);
		if (h >= 0) {
			if (r->idx >= 15)
				goto bad_chunk;
			r->remaining = r->remaining * 16 + (uint64_t)h;
			r->idx++;
			return 0;
		}
		if (r->idx == 0)
			goto bad_chunk;
		/* fall through */
	case S_CHUNK_WS:
		if (c == ' ' || c == '\t')
			r->state = S_CHUNK_WS;
		else if (c == ';')
			r->state = S_CHUNK_EXT;
		else if (c == '\r')
			r->state = S_CHUNK_SIZE_LF;
		else
			goto bad_chunk;
		return 0;
	case S_CHUNK_EXT:
		if (c == '\r')
			r->state = S_CHUNK_SIZE_LF;
		else if (!http_is_value_char(c))
			goto bad_chunk;
		return 0;
	case S_CHUNK_SIZE_LF:
		if (c != '\n')
			goto bad_chunk;
		if (r->remaining == 0) {
			r->in_trailer = true;
			r->line_bytes = 0;
			r->state = S_HDR_START;
		} else {
			r->state = S_CHUNK_DATA;
		}
		return 0;
	case S_CHUNK_DATA_CR:
		if (c != '\r')
			goto bad_chunk;
		r->state = S_CHUNK_DATA_LF;
		return 0;
	case S_CHUNK_DATA_LF:
		if (c != '\n')
			goto bad_chunk;
		r->state = S_CHUNK_SIZE;
		r->idx = 0;
		r->remaining = 0;
		r->line_bytes = 0;
		return 0;
	default: /* S_DONE: fed again without hresp_init */
		r->err = HRESP_E_HEADER;
		return -1;
	}
bad_status:
	r->err = HRESP_E_STATUS_LINE;
	return -1;
bad_header:
	r->err = HRESP_E_HEADER;
	return -1;
bad_chunk:
	r->err = HRESP_E_CHUNK;
	return -1;
}

int hresp_parse(struct hresp *r, const char *buf, size_t len, size_t *used)
{
	size_t i = 0;
	int rc;

	while (i < len) {
		size_t n;

		switch (r->state) {
		case S_BODY:
		case S_CHUNK_DATA:
			n = len - i < r->remaining ? len - i : (size_t)r->remaining;
			i += n;
			r->remaining -= n;
			r->body_len += n;
			if (r->remaining)
				continue;
			if (r->state == S_BODY)
				goto done;
			r->state = S_CHUNK_DATA_CR;
			continue;
		case S_BODY_EOF:
			r->body_len += len - i;
			i = len;
			continue;
		}
		if (++r->line_bytes >
		    (in_chunk_line(r->state) ? HRESP_MAX_CHUNK_LINE : HRESP_MAX_HEADER)) {
			r->err = in_chunk_line(r->state) ? HRESP_E_CHUNK : HRESP_E_TOO_LARGE;
			goto error;
		}
		rc = step(r, (unsigned char)buf[i++]);
		if (rc < 0)
			goto error;
		if (rc > 0)
			goto done;
	}
	r->wire_len += len;
	*used = len;
	return HRESP_MORE;
done:
	r->state = S_DONE;
	r->wire_len += i;
	*used = i;
	return HRESP_DONE;
error:
	r->state = S_DONE;
	r->wire_len += i;
	*used = i;
	return HRESP_ERROR;
}

int hresp_eof(struct hresp *r)
{
	if (r->state == S_BODY_EOF) {
		r->state = S_DONE;
		return HRESP_DONE;
	}
	if (r->state == S_VERSION && r->wire_len == 0 && r->idx == 0)
		return HRESP_MORE;
	r->err = HRESP_E_TRUNCATED;
	return HRESP_ERROR;
}

const char *hresp_strerror(enum hresp_err err)
{
	switch (err) {
	case HRESP_E_NONE:
		return "no error";
	case HRESP_E_STATUS_LINE:
		return "bad status line";
	case HRESP_E_HEADER:
		return "bad header line";
	case HRESP_E_TOO_LARGE:
		return "header section too large";
	case HRESP_E_CONTENT_LENGTH:
		return "bad or conflicting Content-Length";
	case HRESP_E_TRANSFER_ENCODING:
		return "unsupported Transfer-Encoding";
	case HRESP_E_CHUNK:
		return "bad chunk framing";
	case HRESP_E_TRUNCATED:
		return "connection closed inside a response";
	}
	return "unknown error";
}
