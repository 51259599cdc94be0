// SPDX-License-Identifier: GPL-2.0
/*
 * ESCertKE handshakes on one core (user/daemon/escertke.c): the
 * initiating and the terminating engine in one process and thread, the
 * four flights passed in memory as the base64 eckm strings the daemon
 * carries, the key exported on both sides.  Compared in the same run with
 * a plain OpenSSL TLS 1.2 handshake between two SSL objects over a
 * socketpair (AF_UNIX, non-blocking, the same thread), with the same
 * suites, groups, certificates and mutual authentication, and the same
 * export.  Certificates from selftests/host/escertke_certs.sh (P-256).
 *
 *   escertke_bench [SECONDS]
 *
 * SECONDS per measurement (default 2; three measurements: ESCertKE on the
 * engine's suites (AES-128-GCM chosen), plain TLS on the same, and plain
 * TLS with the client offering only AES_128_CBC_SHA256).  Prints handshakes per second, latency percentiles (p50, p99) of one
 * handshake, and the octets of the four messages (TLS records and their
 * base64).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "../selftests/lib/escertke_engine.h"

#define ID_A	"//sp.example/CSE-A"
#define ID_B	"//sp.example/CSE-B"
#define MAX_RUNS 200000

static char dir[] = "/tmp/escertke_bench.XXXXXX";
static uint64_t *lat;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "escertke_bench: %s\n", what);
	exit(1);
}

static struct escertke *engine(const char *who, const char *id)
{
	char err[256];
	struct escertke *e = escertke_engine_in(dir, who, id, err,
						sizeof(err));

	if (!e)
		die(err);
	return e;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, size_t n, uint64_t total_ns)
{
	qsort(lat, n, sizeof(*lat), cmp_u64);
	printf("%-34s %6zu %9.0f/s %9.1f us %9.1f us\n", name, n,
	       n * 1e9 / total_ns, lat[n / 2] / 1e3, lat[n * 99 / 100] / 1e3);
}

/*
 * A plain OpenSSL end-point, configured as the engine configures itself
 * (the SSL_CTX settings of escertke.c), for the comparison.
 */
static SSL_CTX *plain_ctx(const char *who, const char *ciphers)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_method());
	char p[96];

	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_cipher_list(ctx, ciphers);
	SSL_CTX_set1_groups_list(ctx, "P-256:P-384");
	SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA256:ECDSA+SHA384");
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_NO_COMPRESSION |
			    SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	snprintf(p, sizeof(p), "%s/%s.pem", dir, who);
	if (SSL_CTX_use_certificate_chain_file(ctx, p) != 1)
		die(p);
	snprintf(p, sizeof(p), "%s/%s.key", dir, who);
	if (SSL_CTX_use_PrivateKey_file(ctx, p, SSL_FILETYPE_PEM) != 1)
		die(p);
	snprintf(p, sizeof(p), "%s/ca.pem", dir);
	if (SSL_CTX_load_verify_locations(ctx, p, NULL) != 1)
		die(p);
	return ctx;
}

static void plain_one(SSL_CTX *cc, SSL_CTX *sc)
{
	int sv[2], rc = 0, rs = 0;
	unsigned char km[48];
	SSL *c, *s;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	c = SSL_new(cc);
	s = SSL_new(sc);
	SSL_set_fd(c, sv[0]);
	SSL_set_fd(s, sv[1]);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	while (rc != 1 || rs != 1) {
		if (rc != 1) {
			rc = SSL_do_handshake(c);
			if (rc != 1 && SSL_get_error(c, rc) != SSL_ERROR_WANT_READ)
				die("plain TLS client");
		}
		if (rs != 1) {
			rs = SSL_do_handshake(s);
			if (rs != 1 && SSL_get_error(s, rs) != SSL_ERROR_WANT_READ)
				die("plain TLS server");
		}
	}
	if (SSL_export_keying_material(c, km, 48, "EXPORTER-oneM2M-ESCertKE",
				       24, NULL, 0, 0) != 1 ||
	    SSL_export_keying_material(s, km, 48, "EXPORTER-oneM2M-ESCertKE",
				       24, NULL, 0, 0) != 1)
		die("export");
	OPENSSL_cleanse(km, sizeof(km));
	SSL_free(c);
	SSL_free(s);
	close(sv[0]);
	close(sv[1]);
}

static void plain(const char *name, const char *client_ciphers,
		  double seconds)
{
	SSL_CTX *cc = plain_ctx("a", client_ciphers);
	SSL_CTX *sc = plain_ctx("b", "ECDHE-ECDSA-AES128-GCM-SHA256:"
				"ECDHE-ECDSA-AES256-GCM-SHA384:"
				"ECDHE-ECDSA-AES128-SHA256");
	uint64_t start = now_ns(), end = start + seconds * 1e9, t;
	size_t n = 0;

	do {
		t = now_ns();
		plain_one(cc, sc);
		lat[n++] = now_ns() - t;
	} while (now_ns() < end && n < MAX_RUNS);
	report(name, n, now_ns() - start);
	SSL_CTX_free(cc);
	SSL_CTX_free(sc);
}

/* Octets of a base64 flight's records. */
static size_t raw_len(const char *b64)
{
	size_t n = strlen(b64);

	return n / 4 * 3 - (n && b64[n - 1] == '=') -
		(n > 1 && b64[n - 2] == '=');
}

static void esk_one(struct escertke *a, struct escertke *b, size_t len[4][2])
{
	struct escertke_result ra, rb;
	char err[256], *m[5] = { NULL };

	if (escertke_initiate(a, ID_B, &m[0], err, sizeof(err)) ||
	    escertke_respond(b, ID_A, m[0], &m[1], &rb, err, sizeof(err)) ||
	    escertke_initiator_step(a, ID_B, m[1], &m[2], &ra, err,
				    sizeof(err)) ||
	    escertke_respond(b, ID_A, m[2], &m[3], &rb, err,
			     sizeof(err)) != 1 ||
	    escertke_initiator_step(a, ID_B, m[3], &m[4], &ra, err,
				    sizeof(err)) != 1)
		die(err);
	if (strcmp(ra.kid, rb.kid))
		die("keys differ");
	for (int i = 0; i < 4; i++) {
		if (len) {
			len[i][0] = raw_len(m[i]);
			len[i][1] = strlen(m[i]);
		}
		free(m[i]);
	}
	escertke_result_wipe(&ra);
	escertke_result_wipe(&rb);
}

/* ESCertKE between two engines, on their default suites (GCM chosen). */
static void esk(const char *name, double seconds)
{
	struct escertke *a = engine("a", ID_A), *b = engine("b", ID_B);
	uint64_t start, end, t;
	size_t n = 0, len[4][2];

	esk_one(a, b, len);	/* warm-up, and the sizes */
	start = now_ns();
	end = start + seconds * 1e9;
	do {
		t = now_ns();
		esk_one(a, b, NULL);
		lat[n++] = now_ns() - t;
	} while (now_ns() < end && n < MAX_RUNS);
	report(name, n, now_ns() - start);
	printf("# ESCertKE messages, octets of TLS records / of eckm base64:"
	       " 1: %zu/%zu  2: %zu/%zu  3: %zu/%zu  4: %zu/%zu"
	       "  total %zu/%zu\n", len[0][0], len[0][1], len[1][0],
	       len[1][1], len[2][0], len[2][1], len[3][0], len[3][1],
	       len[0][0] + len[1][0] + len[2][0] + len[3][0],
	       len[0][1] + len[1][1] + len[2][1] + len[3][1]);
	escertke_free(a);
	escertke_free(b);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2;
	char cmd[160];

	if (seconds <= 0 || seconds > 60)
		die("SECONDS: 0 to 60");
	lat = calloc(MAX_RUNS, sizeof(*lat));
	if (!lat || !mkdtemp(dir))
		die("set-up");
	snprintf(cmd, sizeof(cmd), "%s %s", CERTS_SH, dir);
	if (system(cmd))
		die("certificates");
	printf("# one core, P-256, mutual ECDSA certificates, TLS 1.2, %s, "
	       "%.1f s each\n", OpenSSL_version(OPENSSL_VERSION), seconds);
	printf("%-34s %6s %11s %12s %12s\n", "", "n", "rate", "p50",
	       "p99");
	esk("ESCertKE (engine, eckm in memory)", seconds);
	plain("plain TLS 1.2, socketpair",
	      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
	      "ECDHE-ECDSA-AES128-SHA256", seconds);
	plain("plain TLS 1.2, socketpair, CBC", "ECDHE-ECDSA-AES128-SHA256",
	      seconds);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "escertke_bench: %s left\n", dir);
	free(lat);
	return 0;
}
