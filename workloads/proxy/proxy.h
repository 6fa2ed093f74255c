/*
 * The reverse proxy's per-connection state machine, shared by all four I/O models
 * (blocking.c, epoll.c, uring.c) so that comparing them isolates the I/O model. It
 * does no I/O: a model asks it which buffer to receive into or send from, performs the
 * call its own way, and reports the result back.
 *
 * Behaviour (the same in every model):
 *   - One upstream connection per client connection, opened on the first request and
 *     reused for every later one. Requests on a connection are handled one at a time:
 *     pipelined requests wait in the buffer until the previous response is out.
 *   - Heads and bodies are relayed byte for byte; nothing is rewritten. Because each
 *     client connection maps onto its own upstream connection, hop-by-hop fields
 *     (Connection, Keep-Alive, TE, Trailer) describe the same end-to-end stream and are
 *     passed through: a "Connection: close" from either side closes both. Upgrade and
 *     CONNECT are refused (501), so a 101 can never arrive.
 *   - Routing: without routes every request goes to --upstream. With --route HOST=ADDR
 *     the Host field (or an absolute-form target's authority) picks the upstream; an
 *     unknown host gets 404. Without routes an absolute-form target must name the
 *     --upstream address itself, else 403: this is never an open proxy.
 *   - Errors answer with a short body and "Connection: close", then the client is read
 *     and discarded for up to PROXY_DRAIN_MS so the reply is not lost to a reset:
 *     malformed request 400, head > 16 KiB 431, unsupported version 505, upstream
 *     refused/reset/closed before a response 502, upstream silent past
 *     --upstream-timeout 504. A failure after part of a response was relayed closes both
 *     sides. The client closing while a request is in progress closes both sides.
 *   - An upstream that closes an idle keep-alive connection closes its client too.
 *   - --idle-timeout MS (0 = off) bounds how long a client may take (event-loop
 *     models: epoll, uring, uring-sqpoll): the WHOLE request head must arrive within
 *     MS of the moment the proxy began waiting for it (the connection was accepted,
 *     or the previous exchange ended); bytes of an unfinished head do not extend it,
 *     so a client trickling a head (slowloris) is closed, without a reply, MS after
 *     it started. Once the head is in, every body byte received (and every response
 *     byte the client takes) restarts the clock. A keep-alive client silent for MS
 *     between requests is closed the same way.
 *     The blocking model instead applies MS as SO_RCVTIMEO to each receive on the
 *     client: a client is closed once one receive waits MS, so a trickler sending a
 *     byte more often than every MS keeps its thread (one thread per connection is
 *     the model's cost), while a silent one, or one stalled mid-head, is closed.
 *   - Bad input never reaches an upstream: it is answered before anything of the
 *     request is forwarded. Bad request line (missing parts, extra words, a method
 *     other than A-Z, '-', '_', e.g. "get") 400; conflicting Content-Length
 *     ("3" and "4", or "3, 4") 400; Content-Length with Transfer-Encoding 400;
 *     Transfer-Encoding other than a final "chunked" ("gzip", "chunked, identity")
 *     400; head over 16 KiB, or more than HTTP_MAX_HEADERS (64) fields, 431.
 *     A chunked body is checked as it streams: its head may already be forwarded
 *     when a bad chunk (size not hex, over 2^60, no CRLF after the data) arrives.
 *     Then nothing from the bad chunk on is forwarded, the client gets 400 (or, if a
 *     response had started, a close), and the upstream connection, now mid-request,
 *     is closed with the client's (within PROXY_DRAIN_MS).
 *   - Out of descriptors (EMFILE/ENFILE at accept): accepting pauses for
 *     SERVER_ACCEPT_BACKOFF_MS at a time (logged once per episode, no spinning) while
 *     open connections are served; pending clients wait in the listen backlog and are
 *     accepted once descriptors are free. A client accepted when no descriptor is left
 *     for its upstream gets 502.
 */
#ifndef RS_PROXY_H
#define RS_PROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "http.h"
#include "server.h"

#define PROXY_BUF_SIZE	 HTTP_MAX_HEAD /* per direction; a whole head must fit */
#define PROXY_MAX_ROUTES 32
#define PROXY_DRAIN_MS	 500
#define PROXY_WAIT_MS	 100 /* longest a loop waits before it looks at stop and timers */

struct proxy_upstream {
	char host[256];	  /* Host value this route answers (without port); "" = --upstream */
	char addr_s[300]; /* "HOST:PORT" as given */
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

struct proxy_cfg {
	struct proxy_upstream ups[PROXY_MAX_ROUTES];
	unsigned nups;
	bool routed; /* --route given: Host picks among ups[] */
	unsigned upstream_timeout_ms;
	unsigned idle_timeout_ms; /* from --idle-timeout */
};

extern const struct server_model proxy_blocking_model;
extern const struct server_model proxy_epoll_model;
extern const struct server_model proxy_uring_model;
extern const struct server_model proxy_uring_sqpoll_model;

enum proxy_up_state { PROXY_UP_NONE, PROXY_UP_CONNECTING, PROXY_UP_READY };

struct proxy_conn {
	const struct proxy_cfg *cfg;
	int cfd, ufd;
	int route;	/* upstream in use, -1 before the first request */
	uint8_t up;	/* enum proxy_up_state */
	uint8_t method; /* of the request being answered */
	bool req_head;	/* the current request's head is parsed and cleared to forward */
	bool req_done;	/* ... and its body */
	bool resp_head, resp_done;
	bool keep;	   /* both sides may carry another exchange */
	bool client_eof;   /* the client sent FIN */
	bool closing;	   /* no more exchanges: flush out[] then close */
	bool draining;	   /* closing after an error reply: read and discard the client */
	bool want_shut_wr; /* the model should shutdown(cfd, SHUT_WR) once */
	bool shut_wr_done;
	bool relayed;	  /* bytes of the current response were cleared to go to the client */
	bool up_eof;	  /* the upstream closed (or failed) */
	bool dead;	  /* close both sockets now */
	uint32_t drained; /* bytes discarded while draining */
	/* The client's clock for --idle-timeout: when the proxy began waiting for the
	 * current head (accept, or the previous exchange's end), then the last body
	 * progress once the head is in. */
	uint64_t cl_last_ns;
	uint64_t up_last_ns, drain_until_ns;
	/* client -> upstream: [0, in_sent) sent, [in_sent, in_ready) to send,
	 * [in_ready, in_len) received but not yet parsed (e.g. a pipelined request). */
	uint32_t in_len, in_ready, in_sent;
	/* upstream -> client: the same; out_msg is where the response head being parsed
	 * starts (after any 1xx heads already relayed). */
	uint32_t out_len, out_ready, out_sent, out_msg;
	struct http_msg req, resp;
	struct http_body reqb, respb;
	char in[PROXY_BUF_SIZE];
	char out[PROXY_BUF_SIZE];
};

void proxy_conn_init(struct proxy_conn *c, const struct proxy_cfg *cfg, int cfd, uint64_t now);
/* proxy_conn_init() on a new allocation (NULL if out of memory), and its end: closes
 * both sockets and frees c. Every model keeps its connections this way. */
struct proxy_conn *proxy_conn_new(const struct proxy_cfg *cfg, int cfd, uint64_t now);
void proxy_conn_free(struct proxy_conn *c);

/* An upstream to connect to (index into cfg->ups), or -1 if none is needed now. */
int proxy_want_connect(const struct proxy_conn *c);
void proxy_upstream_connecting(struct proxy_conn *c, int ufd, uint64_t now);
/* err = 0: connected; else a positive errno: 502. */
void proxy_upstream_connected(struct proxy_conn *c, int err, uint64_t now);

/* Where to receive into (0 = do not receive on that side now). */
size_t proxy_client_rbuf(struct proxy_conn *c, char **p);
size_t proxy_upstream_rbuf(struct proxy_conn *c, char **p);
/* What to send (0 = nothing now). */
size_t proxy_client_wbuf(const struct proxy_conn *c, const char **p);
size_t proxy_upstream_wbuf(const struct proxy_conn *c, const char **p);
/* The current exchange cannot move without more bytes from this side (blocking model). */
bool proxy_needs_client(const struct proxy_conn *c);
bool proxy_needs_upstream(const struct proxy_conn *c);

/* Results: n > 0 bytes moved, 0 end of stream (receive only), < 0 a negative errno. */
void proxy_client_recvd(struct proxy_conn *c, ssize_t n, uint64_t now);
void proxy_upstream_recvd(struct proxy_conn *c, ssize_t n, uint64_t now);
void proxy_client_sent(struct proxy_conn *c, ssize_t n, uint64_t now);
void proxy_upstream_sent(struct proxy_conn *c, ssize_t n, uint64_t now);

/* True once, when the model should shutdown(cfd, SHUT_WR) (after an error reply). */
bool proxy_take_shutdown(struct proxy_conn *c);
/* Close both sockets and free the connection now. */
static inline bool proxy_done(const struct proxy_conn *c)
{
	return c->dead;
}
/* When the connection's next timer fires (0 = none), and what to do when it has. */
uint64_t proxy_deadline(const struct proxy_conn *c);
void proxy_expire(struct proxy_conn *c, uint64_t now);

/* A non-blocking (or blocking) TCP socket for an upstream, SOCK_CLOEXEC, TCP_NODELAY. */
int proxy_upstream_socket(const struct proxy_upstream *u, bool nonblock);

#endif
