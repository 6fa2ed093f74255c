/*
 * The proxy's per-connection state machine (see proxy.h): parses requests and
 * responses with workloads/common/http.c, routes, relays, and decides when to reply
 * with an error, time out or close. No system calls here.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proxy.h"
#include "work.h"

#define DRAIN_MAX_BYTES (64 * 1024)

static void reset_exchange(struct proxy_conn *c)
{
	c->req_head = c->req_done = c->resp_head = c->resp_done = false;
	c->relayed = false;
	http_msg_init(&c->req, HTTP_REQUEST);
}

void proxy_conn_init(struct proxy_conn *c, const struct proxy_cfg *cfg, int cfd, uint64_t now)
{
	memset(c, 0, offsetof(struct proxy_conn, in));
	c->cfg = cfg;
	c->cfd = cfd;
	c->ufd = -1;
	c->route = -1;
	c->cl_last_ns = c->up_last_ns = now;
	reset_exchange(c);
}

/* Answers the current request with status and closes (or aborts if too late). */
static void reply(struct proxy_conn *c, int status, uint64_t now)
{
	const char *reason = http_reason(status);
	int n;

	if (c->relayed || c->closing) {
		c->dead = true;
		return;
	}
	n = snprintf(c->out, sizeof(c->out),
		     "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n%d %s\n",
		     status, reason, strlen(reason) + 5, status, reason);
	c->out_len = c->out_ready = n;
	c->out_sent = c->out_msg = 0;
	c->relayed = true;
	c->closing = c->draining = true;
	c->drain_until_ns = now + PROXY_DRAIN_MS * 1000000ull;
	/* Stop forwarding; keep room after any send still in flight for draining. */
	c->in_ready = c->in_sent;
	c->in_len = c->in_sent;
}

/* The upstream failed (refused, reset, closed, garbage) before or during a response. */
static void upstream_fail(struct proxy_conn *c, uint64_t now)
{
	if (!c->req_head || c->closing)
		c->dead = true;
	else
		reply(c, 502, now);
}

static bool authority_is(const char *buf, struct http_span a, const char *s)
{
	return http_span_eq(buf, a, s);
}

/* The route for host (a Host value, "name[:port]"), or -1. */
static int lookup(const struct proxy_cfg *cfg, const char *buf, struct http_span h)
{
	const char *p = buf + h.off;
	size_t n = h.len;

	if (n && p[0] == '[') { /* [v6]:port */
		const char *e = memchr(p, ']', n);

		if (!e)
			return -1;
		p++;
		n = e - p;
	} else {
		const char *colon = memchr(p, ':', n);

		if (colon)
			n = colon - p;
	}
	for (unsigned i = 0; i < cfg->nups; i++)
		if (strlen(cfg->ups[i].host) == n && strncasecmp(cfg->ups[i].host, p, n) == 0)
			return (int)i;
	return -1;
}

/*
 * Methods are case-sensitive tokens; every registered one is upper case. Like nginx,
 * the proxy forwards only A-Z, '-' and '_', so "get" or "G.T" never reaches an
 * upstream that might read it differently.
 */
static bool method_ok(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') || p[i] == '-' || p[i] == '_'))
			return false;
	return n > 0;
}

/* Picks the upstream for the parsed request; returns 0 or an HTTP status to answer. */
static int route(struct proxy_conn *c)
{
	const struct proxy_cfg *cfg = c->cfg;
	const char *t = c->in + c->req.target.off;
	struct http_span host = c->req.host;
	bool absolute = false;
	int idx;

	if (!method_ok(c->in + c->req.method_s.off, c->req.method_s.len))
		return 400;
	if (c->req.method == HTTP_M_CONNECT || c->req.conn_upgrade)
		return 501;
	if (c->req.target.len >= 7 && strncasecmp(t, "http://", 7) == 0) {
		size_t i = 7;

		while (i < c->req.target.len && t[i] != '/' && t[i] != '?')
			i++;
		host.off = c->req.target.off + 7;
		host.len = i - 7;
		absolute = true;
		if (!host.len)
			return 400;
	} else if (t[0] != '/' &&
		   !(c->req.method == HTTP_M_OPTIONS && c->req.target.len == 1 && t[0] == '*')) {
		return 400; /* https://, authority-form, garbage */
	}
	if (!cfg->routed) {
		if (absolute && !authority_is(c->in, host, cfg->ups[0].addr_s))
			return 403;
		idx = 0;
	} else {
		idx = lookup(cfg, c->in, host);
		if (idx < 0)
			return 404;
	}
	if (c->route >= 0 && c->route != idx)
		return 421; /* this connection's upstream serves another host */
	c->route = idx;
	return 0;
}

/* Moves the exchange as far as the bytes at hand allow. */
static void advance(struct proxy_conn *c, uint64_t now)
{
	size_t used;
	int r, status;

	while (!c->dead && !c->closing) {
		if (!c->req_head) {
			r = http_head_parse(&c->req, c->in, c->in_len);
			if (r == HTTP_AGAIN)
				return;
			if (r < 0) {
				reply(c, http_error_status(r), now);
				return;
			}
			status = route(c);
			if (status) {
				reply(c, status, now);
				return;
			}
			work_do(); /* --work-us: the application's share of the request */
			/* From here on, body progress keeps the client alive. */
			c->req_head = true;
			c->cl_last_ns = now;
			c->method = c->req.method;
			c->in_ready = c->req.head_len;
			http_body_init_request(&c->reqb, &c->req);
			c->req_done = c->reqb.done;
			http_msg_init(&c->resp, HTTP_RESPONSE);
			c->out_msg = c->out_len;
			c->up_last_ns = now;
		}
		if (!c->req_done) {
			r = http_body_feed(&c->reqb, c->in + c->in_ready, c->in_len - c->in_ready,
					   &used, NULL, NULL);
			c->in_ready += used;
			if (r < 0) {
				reply(c, 400, now);
				return;
			}
			c->req_done = r == HTTP_DONE;
		}
		while (!c->resp_head) {
			r = http_head_parse(&c->resp, c->out + c->out_msg, c->out_len - c->out_msg);
			if (r == HTTP_AGAIN)
				return;
			if (r < 0 || c->resp.status == 101) {
				upstream_fail(c, now);
				return;
			}
			c->out_ready = c->out_msg + c->resp.head_len;
			c->relayed = true;
			if (c->resp.status >= 200) {
				c->resp_head = true;
				http_body_init_response(&c->respb, &c->resp, c->method);
				c->resp_done = c->respb.done;
			} else { /* 1xx: relay it and read the real response behind it */
				c->out_msg = c->out_ready;
				http_msg_init(&c->resp, HTTP_RESPONSE);
			}
		}
		if (!c->resp_done) {
			r = http_body_feed(&c->respb, c->out + c->out_ready,
					   c->out_len - c->out_ready, &used, NULL, NULL);
			c->out_ready += used;
			if (r < 0) {
				upstream_fail(c, now);
				return;
			}
			c->resp_done = r == HTTP_DONE;
			if (!c->resp_done)
				return;
		}
		/* The response is complete: wait until it is out, then start over. */
		if (c->out_sent < c->out_len)
			return;
		if (c->out_ready < c->out_len || !c->req_done || c->in_sent < c->in_ready) {
			/* Bytes after the response, or it came before the whole request. */
			c->dead = true;
			return;
		}
		c->keep = c->req.keep_alive && c->resp.keep_alive &&
			  c->respb.mode != HTTP_BODY_CLOSE && !c->client_eof;
		if (!c->keep) {
			c->dead = true;
			return;
		}
		memmove(c->in, c->in + c->in_ready, c->in_len - c->in_ready);
		c->in_len -= c->in_ready;
		c->in_ready = c->in_sent = 0;
		c->out_len = c->out_ready = c->out_sent = c->out_msg = 0;
		c->cl_last_ns = now;
		reset_exchange(c);
	}
}

int proxy_want_connect(const struct proxy_conn *c)
{
	if (c->dead || c->closing || !c->req_head || c->up != PROXY_UP_NONE)
		return -1;
	return c->route;
}

void proxy_upstream_connecting(struct proxy_conn *c, int ufd, uint64_t now)
{
	c->ufd = ufd;
	c->up = PROXY_UP_CONNECTING;
	c->up_last_ns = now;
}

void proxy_upstream_connected(struct proxy_conn *c, int err, uint64_t now)
{
	if (err) {
		c->up_eof = true;
		upstream_fail(c, now);
		return;
	}
	c->up = PROXY_UP_READY;
	c->up_last_ns = now;
}

size_t proxy_client_rbuf(struct proxy_conn *c, char **p)
{
	if (c->dead || c->client_eof || (c->closing && !c->draining))
		return 0;
	*p = c->in + c->in_len;
	return sizeof(c->in) - c->in_len;
}

size_t proxy_upstream_rbuf(struct proxy_conn *c, char **p)
{
	if (c->dead || c->closing || c->up != PROXY_UP_READY || c->up_eof)
		return 0;
	*p = c->out + c->out_len;
	return sizeof(c->out) - c->out_len;
}

size_t proxy_client_wbuf(const struct proxy_conn *c, const char **p)
{
	if (c->dead)
		return 0;
	*p = c->out + c->out_sent;
	return c->out_ready - c->out_sent;
}

size_t proxy_upstream_wbuf(const struct proxy_conn *c, const char **p)
{
	if (c->dead || c->closing || c->up != PROXY_UP_READY)
		return 0;
	*p = c->in + c->in_sent;
	return c->in_ready - c->in_sent;
}

bool proxy_needs_client(const struct proxy_conn *c)
{
	if (c->dead || c->client_eof)
		return false;
	return c->draining || (!c->closing && (!c->req_head || !c->req_done));
}

bool proxy_needs_upstream(const struct proxy_conn *c)
{
	return !c->dead && !c->closing && c->req_head && !c->resp_done && c->up == PROXY_UP_READY &&
	       !c->up_eof;
}

void proxy_client_recvd(struct proxy_conn *c, ssize_t n, uint64_t now)
{
	if (n <= 0) {
		/* Gone, or half-closed with a request in progress: both sides go. */
		c->client_eof = true;
		c->dead = true;
		return;
	}
	/* A head must arrive whole within --idle-timeout of when it was awaited, however
	 * it trickles in (slowloris): only body bytes move the clock. */
	if (c->req_head)
		c->cl_last_ns = now;
	if (c->draining) {
		c->drained += n;
		if (c->drained > DRAIN_MAX_BYTES)
			c->dead = true;
		return;
	}
	c->in_len += n;
	advance(c, now);
}

void proxy_upstream_recvd(struct proxy_conn *c, ssize_t n, uint64_t now)
{
	if (n > 0 && !c->req_head) {
		c->dead = true; /* a response nobody asked for */
		return;
	}
	if (n > 0) {
		c->up_last_ns = now;
		c->out_len += n;
		advance(c, now);
		return;
	}
	c->up_eof = true;
	if (n == 0 && c->resp_head && !c->resp_done && c->respb.mode == HTTP_BODY_CLOSE) {
		http_body_eof(&c->respb);
		c->resp_done = true;
		c->resp.keep_alive = false;
		advance(c, now);
		return;
	}
	upstream_fail(c, now);
}

void proxy_client_sent(struct proxy_conn *c, ssize_t n, uint64_t now)
{
	if (n < 0) {
		c->dead = true;
		return;
	}
	c->out_sent += n;
	if (c->req_head)
		c->cl_last_ns = now;
	if (c->out_sent == c->out_len && c->closing) {
		if (c->draining)
			c->want_shut_wr = true;
		else
			c->dead = true;
		return;
	}
	if (c->out_sent == c->out_len && c->resp_done) {
		advance(c, now); /* the exchange may be over */
		return;
	}
	if (c->out_sent) { /* no send is in flight now: compact */
		uint32_t k = c->out_sent;

		memmove(c->out, c->out + k, c->out_len - k);
		c->out_len -= k;
		c->out_ready -= k;
		c->out_msg = c->out_msg > k ? c->out_msg - k : 0;
		c->out_sent = 0;
	}
	advance(c, now);
}

void proxy_upstream_sent(struct proxy_conn *c, ssize_t n, uint64_t now)
{
	if (n < 0) {
		upstream_fail(c, now);
		return;
	}
	c->in_sent += n;
	if (c->req_done && c->in_sent == c->in_ready)
		c->up_last_ns = now; /* from here the upstream owes us a response */
	if (c->req_done || c->closing) {
		advance(c, now);
		return;
	}
	if (c->in_sent) { /* streaming a body: compact */
		uint32_t k = c->in_sent;

		memmove(c->in, c->in + k, c->in_len - k);
		c->in_len -= k;
		c->in_ready -= k;
		c->in_sent = 0;
	}
	advance(c, now);
}

bool proxy_take_shutdown(struct proxy_conn *c)
{
	if (!c->want_shut_wr || c->shut_wr_done)
		return false;
	c->shut_wr_done = true;
	return true;
}

static bool waiting_upstream(const struct proxy_conn *c)
{
	if (c->dead || c->closing || !c->req_head || c->resp_done)
		return false;
	if (c->up == PROXY_UP_CONNECTING)
		return true;
	return c->up == PROXY_UP_READY && c->req_done && c->in_sent == c->in_ready;
}

uint64_t proxy_deadline(const struct proxy_conn *c)
{
	if (c->dead)
		return 0;
	if (c->draining)
		return c->drain_until_ns;
	if (waiting_upstream(c))
		return c->up_last_ns + c->cfg->upstream_timeout_ms * 1000000ull;
	if (c->cfg->idle_timeout_ms && proxy_needs_client(c))
		return c->cl_last_ns + c->cfg->idle_timeout_ms * 1000000ull;
	return 0;
}

void proxy_expire(struct proxy_conn *c, uint64_t now)
{
	uint64_t d = proxy_deadline(c);

	if (!d || now < d)
		return;
	if (waiting_upstream(c))
		reply(c, 504, now); /* aborts instead if part of a response went out */
	else
		c->dead = true; /* drain over, or an idle client */
}
