// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target of esprimd's HTTP server (user/daemon/http*.c): each
 * input is written, as raw bytes, to a fresh loopback connection to the
 * server (127.0.0.1, ephemeral port, on an sd-event loop run here), then
 * half-closed; the loop runs until the server has closed the connection
 * (or has been quiet for QUIET_MS: a keep-alive connection that saw the
 * half-close between two requests waits for its timeout, so it is reset)
 * and forgotten it.  So every input goes through libmicrohttpd's parser,
 * the binding's checks (http_check.c) and, for the requests that pass,
 * the handler and the answer, with the connection suspended meanwhile.
 *
 * The handler answers at once, or from a defer source when the path has
 * an odd length (the suspend/resume path), echoing the body it got.  A
 * connection that has not ended after 10 s is a hang: abort().
 * Built with -fsanitize=fuzzer,address,undefined; seeds in seeds/http/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "http.h"
#include "http_internal.h"

#define HANG_MS		10000
#define QUIET_MS	10
#define MAX_LATER	16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sd_event *event;
static struct esprimd_http *http;
static int port;
static sd_event_source *defer;
static struct esprimd_http_request *later[MAX_LATER];
static int later_rsc[MAX_LATER];
static json_t *later_body[MAX_LATER];
static unsigned int n_later;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int answer_later(sd_event_source *s, void *ud)
{
	unsigned int i;

	for (i = 0; i < n_later; i++) {
		if (esprimd_http_respond(later[i], later_rsc[i], later_body[i]))
			abort();
		json_decref(later_body[i]);
	}
	n_later = 0;
	sd_event_source_set_enabled(defer, SD_EVENT_OFF);
	return 0;
}

static void handler(struct esprimd_http_request *req,
		    const struct esprimd_http_incoming *in, void *ud)
{
	int rsc = in->op == ESPRIMD_HTTP_CREATE ? 2001 : 2000;

	/* What the checks promise the handler. */
	if (!http_is_id(in->origin, strlen(in->origin)) ||
	    !http_is_id(in->ri, strlen(in->ri)) || in->path[0] != '/' ||
	    (in->op == ESPRIMD_HTTP_RETRIEVE) != !in->body ||
	    (in->body && !json_is_object(in->body)))
		abort();
	if (strlen(in->path) % 2 && n_later < MAX_LATER) {
		later[n_later] = req;
		later_rsc[n_later] = rsc;
		later_body[n_later++] = json_incref(in->body);
		sd_event_source_set_enabled(defer, SD_EVENT_ON);
		return;
	}
	if (esprimd_http_respond(req, rsc, in->body))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *listen[] = { "127.0.0.1:0" };
	char err[256];

	if (sd_event_new(&event) < 0 ||
	    esprimd_http_new(&http, event, listen, 1, handler, NULL, 2000,
			     err, sizeof(err)) ||
	    sd_event_add_defer(event, &defer, answer_later, NULL) < 0 ||
	    sd_event_source_set_enabled(defer, SD_EVENT_OFF) < 0)
		abort();
	port = esprimd_http_port(http, 0);
	return 0;
}

/*
 * What the server says is read and dropped: -1 once it closed, 1 when it
 * said something, else 0.
 */
static int drain(int fd)
{
	char buf[4096];
	ssize_t n;
	int said = 0;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		said = 1;
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		return -1;
	return said;
}

/* Closed with a reset, which wakes the server up at once. */
static void reset(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint64_t deadline = now_ms() + HANG_MS, heard = now_ms();
	bool shut = false;
	size_t off = 0;
	ssize_t n;
	int fd, said;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || (connect(fd, (void *)&sa, sizeof(sa)) &&
		       errno != EINPROGRESS))
		abort();
	for (;;) {
		if (off < size) {
			n = send(fd, data + off, size - off, MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
			else if (errno != EAGAIN && errno != EWOULDBLOCK &&
				 errno != ENOTCONN)
				off = size;	/* the server closed first */
		}
		if (off == size && !shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		sd_event_run(event, 1000);
		said = drain(fd);
		if (said < 0) {
			close(fd);
			break;
		}
		if (said || !shut || n_later)
			heard = now_ms();
		else if (now_ms() - heard > QUIET_MS) {
			reset(fd);
			break;
		}
		if (now_ms() > deadline)
			abort();
	}
	/* Until MHD has cleaned the connection up, and answers are sent. */
	while (http->conn_open || n_later) {
		sd_event_run(event, 1000);
		if (now_ms() > deadline)
			abort();
	}
	return 0;
}
