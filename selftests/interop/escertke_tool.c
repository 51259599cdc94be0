// SPDX-License-Identifier: GPL-2.0
/*
 * One ESCertKE end-point (user/daemon/escertke.c) for the interop test
 * with the Node.js peer (escertke_interop_test.sh).  Line protocol: each
 * flight is one line of base64 (the eckm); the tool writes its flights to
 * stdout and reads the peer's from stdin.
 *
 *   escertke_tool --cert F --key F --trust F --identity ID --peer ID
 *                 (--initiate | --respond) --result F [--key-out F]
 *
 * On success the result file gets "kid HEX", "mac HEX" (HMAC-SHA256 of
 * "interop" under the key, to compare keys without showing them) and
 * "peer ID"; --key-out (a test's private directory only) the key in hex,
 * for esprimctl's --pairwise-key-file.  Exit 0, or 1 with the engine's
 * error on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "escertke.h"

static void usage(void)
{
	fprintf(stderr, "usage: escertke_tool --cert F --key F --trust F "
		"--identity ID --peer ID (--initiate|--respond) --result F "
		"[--key-out F]\n");
	exit(2);
}

/* The next line of stdin without its newline, or NULL at EOF. */
static char *read_line(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);

	if (n < 0) {
		free(line);
		return NULL;
	}
	if (n && line[n - 1] == '\n')
		line[n - 1] = 0;
	return line;
}

static void send_line(char *flight)
{
	if (flight) {
		printf("%s\n", flight);
		fflush(stdout);
	}
	free(flight);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static int write_result(const struct escertke_result *r, const char *path,
			const char *key_out)
{
	uint8_t mac[32];
	unsigned int len = sizeof(mac);
	char mac_hex[65], key_hex[65];
	FILE *f;

	if (!HMAC(EVP_sha256(), r->key, sizeof(r->key),
		  (const unsigned char *)"interop", 7, mac, &len))
		return -1;
	hex(mac, sizeof(mac), mac_hex);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "kid %s\nmac %s\npeer %s\n", r->kid, mac_hex, r->peer);
	if (fclose(f))
		return -1;
	if (key_out) {
		umask(077);
		f = fopen(key_out, "w");
		if (!f)
			return -1;
		hex(r->key, sizeof(r->key), key_hex);
		fprintf(f, "%s\n", key_hex);
		OPENSSL_cleanse(key_hex, sizeof(key_hex));
		if (fclose(f))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "trust", required_argument, NULL, 't' },
		{ "identity", required_argument, NULL, 'i' },
		{ "peer", required_argument, NULL, 'p' },
		{ "initiate", no_argument, NULL, 'I' },
		{ "respond", no_argument, NULL, 'R' },
		{ "result", required_argument, NULL, 'r' },
		{ "key-out", required_argument, NULL, 'o' },
		{ 0 }
	};
	struct escertke_config cfg = {
		.key_lifetime_s = 3600, .timeout_ms = 30000,
		.max_per_peer = 2, .max_total = 4,
	};
	const char *peer = NULL, *result = NULL, *key_out = NULL;
	struct escertke_result res = {0};
	struct escertke *e;
	char err[512], *out = NULL, *in;
	int role = 0, c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfg.cert_file = optarg; break;
		case 'k': cfg.key_file = optarg; break;
		case 't': cfg.trust_file = optarg; break;
		case 'i': cfg.identity = optarg; break;
		case 'p': peer = optarg; break;
		case 'I': case 'R': role = c; break;
		case 'r': result = optarg; break;
		case 'o': key_out = optarg; break;
		default: usage();
		}
	}
	if (!peer || !result || !role || optind != argc)
		usage();
	ret = escertke_new(&e, &cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "escertke_tool: %s\n", err);
		return 1;
	}
	if (role == 'I') {
		ret = escertke_initiate(e, peer, &out, err, sizeof(err));
		send_line(out);
		while (!ret && (in = read_line())) {
			out = NULL;
			ret = escertke_initiator_step(e, peer, in, &out, &res,
						      err, sizeof(err));
			free(in);
			send_line(out);
		}
	} else {
		ret = 0;
		while (!ret && (in = read_line())) {
			out = NULL;
			ret = escertke_respond(e, peer, in, &out, &res, err,
					       sizeof(err));
			free(in);
			send_line(out);
		}
	}
	if (ret == 0)
		snprintf(err, sizeof(err), "the peer stopped");
	if (ret != 1) {
		fprintf(stderr, "escertke_tool: %d: %s\n", ret, err);
		escertke_free(e);
		return 1;
	}
	ret = write_result(&res, result, key_out);
	escertke_result_wipe(&res);
	escertke_free(e);
	if (ret) {
		fprintf(stderr, "escertke_tool: %s: cannot write\n", result);
		return 1;
	}
	return 0;
}
