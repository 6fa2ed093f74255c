/*
 * ringside-origin: the HTTP/1.1 origin behind the proxy. Answers GET (and any request
 * without a body) with 200 and --body-bytes of body, HEAD with the same head, and a
 * request with a body with 200 "len=N fnv=HEX" (FNV-1a 64 of the decoded body), so a
 * test can check a body was forwarded intact. Keep-alive and pipelining-safe; epoll,
 * one level-triggered loop per --threads on its own SO_REUSEPORT listener, so it is
 * never the bottleneck. --chunked answers GET with a chunked body.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "models.h"
#include "loops.h"
#include "net.h"
#include "opts.h"

#define MAX_EVENTS  256
#define WAIT_MS	    100 /* longest a loop waits before it looks at server_stop */
#define IN_SIZE	    HTTP_MAX_HEAD
#define OUT_HIGH    (256 * 1024) /* stop parsing requests while this much waits to go */
#define CHUNK_BYTES 1000

enum { OPT_BODY_BYTES = 512, OPT_CHUNKED };

static const struct option origin_longopts[] = {
    {"body-bytes", required_argument, NULL, OPT_BODY_BYTES},
    {"chunked", no_argument, NULL, OPT_CHUNKED},
    {NULL, 0, NULL, 0},
};

static const char origin_usage[] =
    "\norigin options (--model may be omitted: epoll is the only one):\n"
    "  --body-bytes N   body of each GET response (default 4096)\n"
    "  --chunked        send GET bodies with Transfer-Encoding: chunked\n"
    "\nexample:\n"
    "  ringside-origin --threads 1 --cpus 1 --body-bytes 4096 --port 8080\n";

struct origin_opts {
	unsigned long body_bytes;
	bool chunked;
};

static struct origin_opts oopts = {.body_bytes = 4096};
/* Prebuilt GET responses: [keep-alive, close] x [with body, head only]. */
static char *resp[2][2];
static size_t resp_len[2][2];

struct oconn {
	int fd;
	bool pollout, close_after, in_body;
	struct http_msg req;
	struct http_body body;
	uint64_t fnv;
	uint32_t in_len, start;
	char *out;
	size_t out_len, out_sent, out_cap;
	struct oconn *prev, *next; /* the loop's open connections */
	char in[IN_SIZE];
};

struct oloop {
	const struct server_opts *o;
	int listen_fd, ep;
	struct oconn *conns; /* freed by o_fini, so a clean exit leaks nothing */
	bool accept_more;    /* the last batch left connections in the backlog */
};

static int origin_opt(int opt, const char *arg, void *ctx)
{
	switch (opt) {
	case OPT_BODY_BYTES:
		oopts.body_bytes = opt_uint("body-bytes", arg, 0, 64ul << 20);
		return 0;
	case OPT_CHUNKED:
		oopts.chunked = true;
		return 0;
	}
	return -1;
}

static char *build(bool close, bool head_only, size_t *len)
{
	size_t n = oopts.body_bytes, cap = n + n / CHUNK_BYTES * 16 + 256, o;
	char *p = malloc(cap);

	if (!p)
		DIE("out of memory");
	if (oopts.chunked)
		o = snprintf(p, cap,
			     "HTTP/1.1 200 OK\r\nServer: ringside-origin\r\n%s"
			     "Transfer-Encoding: chunked\r\n\r\n",
			     close ? "Connection: close\r\n" : "");
	else
		o = snprintf(p, cap,
			     "HTTP/1.1 200 OK\r\nServer: ringside-origin\r\n%s"
			     "Content-Length: %zu\r\n\r\n",
			     close ? "Connection: close\r\n" : "", n);
	if (!head_only) {
		for (size_t done = 0; done < n;) {
			size_t k = n - done < CHUNK_BYTES ? n - done : CHUNK_BYTES;

			if (oopts.chunked)
				o += snprintf(p + o, cap - o, "%zx\r\n", k);
			for (size_t i = 0; i < k; i++)
				p[o + i] = 'a' + (done + i) % 26;
			o += k;
			done += k;
			if (oopts.chunked)
				o += snprintf(p + o, cap - o, "\r\n");
		}
		if (oopts.chunked)
			o += snprintf(p + o, cap - o, "0\r\n\r\n");
	}
	*len = o;
	return p;
}

static void out_append(struct oconn *c, const char *p, size_t n)
{
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 8192;

		while (cap < c->out_len + n)
			cap *= 2;
		c->out = realloc(c->out, cap);
		if (!c->out)
			DIE("out of memory");
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

static void reply_status(struct oconn *c, int status, const char *body)
{
	char buf[512];
	int n = snprintf(
	    buf, sizeof(buf),
	    "HTTP/1.1 %d %s\r\nServer: ringside-origin\r\nContent-Length: %zu\r\n%s\r\n%s", status,
	    http_reason(status), strlen(body), c->close_after ? "Connection: close\r\n" : "", body);

	out_append(c, buf, n);
}

/* Handles every complete request in the input buffer. */
static void process(struct oconn *c)
{
	char scratch[IN_SIZE];

	while (!c->close_after && c->out_len - c->out_sent < OUT_HIGH) {
		const char *buf = c->in + c->start;
		size_t avail = c->in_len - c->start, used, dec;
		int r;

		if (!c->in_body) {
			r = http_head_parse(&c->req, buf, avail);
			if (r == HTTP_AGAIN)
				break;
			if (r < 0) {
				c->close_after = true;
				reply_status(c, http_error_status(r), "bad request\n");
				break;
			}
			c->start += c->req.head_len;
			http_body_init_request(&c->body, &c->req);
			c->in_body = true;
			c->fnv = 1469598103934665603ull;
			continue;
		}
		r = http_body_feed(&c->body, buf, avail, &used, scratch, &dec);
		for (size_t i = 0; i < dec; i++)
			c->fnv = (c->fnv ^ (unsigned char)scratch[i]) * 1099511628211ull;
		c->start += used;
		if (r == HTTP_AGAIN)
			break;
		if (r < 0) {
			c->close_after = true;
			reply_status(c, 400, "bad body\n");
			break;
		}
		c->close_after = !c->req.keep_alive;
		if (c->body.mode != HTTP_BODY_NONE) {
			char msg[96];

			snprintf(msg, sizeof(msg), "len=%llu fnv=%016llx\n",
				 (unsigned long long)c->body.total, (unsigned long long)c->fnv);
			reply_status(c, 200, msg);
		} else {
			bool head = c->req.method == HTTP_M_HEAD;

			out_append(c, resp[c->close_after][head], resp_len[c->close_after][head]);
		}
		c->in_body = false;
		http_msg_init(&c->req, HTTP_REQUEST);
	}
	/* Keep the unparsed rest at the front so the next head starts at in[0]. */
	memmove(c->in, c->in + c->start, c->in_len - c->start);
	c->in_len -= c->start;
	c->start = 0;
}

static void conn_close(struct oloop *l, struct oconn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	close(c->fd);
	free(c->out);
	free(c);
}

static void set_pollout(struct oloop *l, struct oconn *c, bool on)
{
	struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};

	if (c->pollout != on) {
		c->pollout = on;
		epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
}

/* Sends what is queued; false if the connection is finished. */
static bool flush(struct oloop *l, struct oconn *c)
{
	while (c->out_sent < c->out_len) {
		ssize_t n =
		    send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			set_pollout(l, c, true);
			return true;
		}
		if (n <= 0)
			return false;
		c->out_sent += n;
	}
	c->out_len = c->out_sent = 0;
	set_pollout(l, c, false);
	return !c->close_after;
}

static bool on_readable(struct oconn *c)
{
	ssize_t n;

	if (c->in_len == IN_SIZE) /* a body larger than the buffer: process consumes it */
		process(c);
	n = recv(c->fd, c->in + c->in_len, IN_SIZE - c->in_len, 0);
	if (n <= 0)
		return n < 0 && errno == EAGAIN;
	c->in_len += n;
	process(c);
	return true;
}

static void on_event(struct oloop *l, struct oconn *c, uint32_t ev)
{
	bool ok = true;

	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
		ok = on_readable(c);
	if (ok)
		ok = flush(l, c);
	if (ok && !c->close_after && c->out_len == 0 && c->in_len) {
		process(c);
		ok = flush(l, c);
	}
	if (!ok)
		conn_close(l, c);
}

static int o_init(void *loop, const struct server_opts *o, int id, int listen_fd)
{
	struct oloop *l = loop;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};

	l->o = o;
	l->listen_fd = listen_fd;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0 || epoll_ctl(l->ep, EPOLL_CTL_ADD, listen_fd, &ev)) {
		PLOG_ERR("epoll setup");
		return RS_EXIT_FAIL;
	}
	return RS_EXIT_OK;
}

/*
 * Accepts up to 64 connections; if more wait, o_run takes another batch every turn
 * (the level-triggered listener alone comes up once per pass over the ready list).
 */
static void accept_some(struct oloop *l)
{
	l->accept_more = false;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = {.events = EPOLLIN};
		struct oconn *c;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				usleep(1000);
			return;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		http_msg_init(&c->req, HTTP_REQUEST);
		net_set_nodelay(fd);
		ev.data.ptr = c;
		if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = l->conns;
		if (l->conns)
			l->conns->prev = c;
		l->conns = c;
	}
	l->accept_more = true;
}

static int o_run(void *loop)
{
	struct oloop *l = loop;
	struct epoll_event evs[MAX_EVENTS];

	while (!server_should_stop()) {
		int n = epoll_wait(l->ep, evs, MAX_EVENTS, WAIT_MS);
		bool accepted = false;

		for (int i = 0; i < n; i++) {
			if (!evs[i].data.ptr) {
				accept_some(l);
				accepted = true;
			} else {
				on_event(l, evs[i].data.ptr, evs[i].events);
			}
		}
		if (l->accept_more && !accepted)
			accept_some(l);
	}
	return RS_EXIT_OK;
}

static void o_fini(void *loop)
{
	struct oloop *l = loop;

	while (l->conns)
		conn_close(l, l->conns);
	close(l->ep);
}

static const struct server_loop_ops origin_ops = {
    .loop_size = sizeof(struct oloop),
    .nonblock_listener = true,
    .init = o_init,
    .run = o_run,
    .fini = o_fini,
};

int main(int argc, char **argv)
{
	/* The origin has one model (the only MODEL_ORIGIN entry): --model may be omitted. */
	const struct server_parse parse = {
	    .serves = MODEL_ORIGIN,
	    .model = "epoll",
	    .longopts = origin_longopts,
	    .extra = origin_opt,
	    .ctx = &oopts,
	    .usage = origin_usage,
	};
	struct server_opts o;

	log_init(argv[0]);
	server_parse_opts(argc, argv, &o, &parse);
	for (int cl = 0; cl < 2; cl++)
		for (int head = 0; head < 2; head++)
			resp[cl][head] = build(cl, head, &resp_len[cl][head]);
	server_setup_process();
	return server_run_loops(&o, &origin_ops);
}
