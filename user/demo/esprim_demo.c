// SPDX-License-Identifier: GPL-2.0
/*
 * Demonstration: a oneM2M request primitive sealed into an ESPrim Object
 * (JWE compact serialization, "dir" + A256GCM) by the kernel template
 * onem2m-esprim(gcm(aes)) over AF_ALG, carried as Notify content
 * {"m2m:seci":{"sit":5,"epo":...}}, opened again by the receiver's tfm and
 * cross-checked with OpenSSL.  Prints the template's /proc/crypto entry.
 *
 * The session key is random here; key establishment and derivation come
 * with the key type and libesprim.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kcapi.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "esprim_afalg.h"

#define TRAILER	ONEM2M_ESPRIM_TRAILER_LEN
#define TAG_LEN	ONEM2M_ESPRIM_TAG_LEN
#define IV_LEN	ONEM2M_ESPRIM_IV_LEN

static const char header[] =
	"{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"13-gw1.example.net\","
	"\"cty\":\"vnd.onem2m-preq+json\",\"ori\":\"o-9f2c\",\"rri\":\"r-41d7\"}";

static const char request[] =
	"{\"op\":1,\"to\":\"//example.net/in-cse/ae-meter\",\"fr\":\"Cgw1\","
	"\"rqi\":\"req-0042\",\"rvi\":\"4\",\"ty\":4,"
	"\"pc\":{\"m2m:cin\":{\"cnf\":\"text/plain:0\",\"con\":\"21.5\"}}}";

/* BASE64URL without padding (RFC 7515 2). */
static char *b64url(const uint8_t *in, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	int n, i;

	if (!out)
		return NULL;
	n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = 0;
	for (i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return out;
}

/* Decodes n characters of BASE64URL; returns the length or -1. */
static int b64url_decode(const char *in, size_t n, uint8_t *out)
{
	char *tmp = malloc(n + 4);
	size_t i, padded = (n + 3) / 4 * 4;
	int len;

	if (!tmp || n % 4 == 1) {
		free(tmp);
		return -1;
	}
	for (i = 0; i < n; i++)
		tmp[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	for (; i < padded; i++)
		tmp[i] = '=';
	len = EVP_DecodeBlock(out, (unsigned char *)tmp, (int)padded);
	free(tmp);
	return len < 0 ? -1 : len - (int)(padded - n);
}

static void hex(const char *label, const uint8_t *b, size_t len)
{
	printf("%s", label);
	while (len--)
		printf("%02x", *b++);
	printf("\n");
}

/* Returns 1 when OpenSSL verifies the tag and decrypts ct into out. */
static int gcm_open_openssl(const uint8_t key[32], const uint8_t iv[12],
			    const uint8_t *aad, size_t aad_len,
			    const uint8_t *ct, size_t ct_len,
			    const uint8_t tag[16], uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) &&
	     EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aad_len) &&
	     EVP_DecryptUpdate(ctx, out, &n, ct, (int)ct_len) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) &&
	     EVP_DecryptFinal_ex(ctx, out + n, &n);
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

static void print_proc_crypto_entry(void)
{
	FILE *f = fopen("/proc/crypto", "r");
	char line[256];
	int in_entry = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "name", 4))
			in_entry = strstr(line, ONEM2M_ESPRIM_AEAD_ALG) != NULL;
		if (in_entry)
			fputs(line, stdout);
		if (in_entry && line[0] == '\n')
			break;
	}
	fclose(f);
}

static struct kcapi_handle *open_role(const uint8_t *key,
				      enum onem2m_esprim_role role)
{
	struct onem2m_esprim_key_raw blob;
	struct kcapi_handle *h;
	int ret;

	esprim_key_raw_init(&blob, key, 32, role, 0);
	ret = esprim_afalg_open(&h, ONEM2M_ESPRIM_AEAD_ALG, &blob, sizeof(blob),
				TRAILER);
	OPENSSL_cleanse(&blob, sizeof(blob));
	if (ret) {
		fprintf(stderr, "esprim_demo: %s: %s\n", ONEM2M_ESPRIM_AEAD_ALG,
			strerror(-ret));
		return NULL;
	}
	return h;
}

/* Splits a JWE compact object into its five parts (offsets into s). */
static int jwe_split(const char *s, const char *part[5], size_t len[5])
{
	const char *p = s;
	int i;

	for (i = 0; i < 5; i++) {
		const char *dot = strchr(p, '.');

		if ((i < 4) != (dot != NULL))
			return -1;
		part[i] = p;
		len[i] = dot ? (size_t)(dot - p) : strlen(p);
		p = dot ? dot + 1 : p;
	}
	return len[1] == 0 && len[2] == 16 ? 0 : -1;	/* "dir", 96-bit IV */
}

int main(void)
{
	size_t text_len = strlen(request), aad_len, n;
	char *aad, *b_iv, *b_ct, *b_tag, *jwe, *content;
	const char *part[5];
	size_t part_len[5];
	uint8_t key[32], *sealed, *in, *out, plain[sizeof(request)];
	struct kcapi_handle *orig, *recv;
	int ok;

	if (RAND_bytes(key, sizeof(key)) != 1)
		return 1;
	orig = open_role(key, ONEM2M_ESPRIM_ROLE_ORIGINATOR);
	recv = open_role(key, ONEM2M_ESPRIM_ROLE_RECEIVER);
	if (!orig || !recv)
		return 1;

	printf("== Originator: seal the request primitive\n");
	printf("inner primitive: %s\n", request);
	printf("protected header: %s\n", header);
	hex("sessionESPrimKey (random for this demo): ", key, sizeof(key));

	/* AAD = ASCII(BASE64URL(protected header)), RFC 7516 5.1 step 14. */
	aad = b64url((const uint8_t *)header, strlen(header));
	aad_len = strlen(aad);
	in = malloc(aad_len + text_len + TRAILER);
	sealed = malloc(aad_len + text_len + TRAILER);
	memcpy(in, aad, aad_len);
	memcpy(in + aad_len, request, text_len);
	if (esprim_afalg_crypt(orig, true, NULL, aad_len, in, aad_len + text_len,
			       sealed, aad_len + text_len + TRAILER) !=
	    (ssize_t)(aad_len + text_len + TRAILER)) {
		fprintf(stderr, "esprim_demo: seal failed\n");
		return 1;
	}

	/* header . (empty encrypted key) . IV . ciphertext . tag */
	b_ct = b64url(sealed + aad_len, text_len);
	b_tag = b64url(sealed + aad_len + text_len, TAG_LEN);
	b_iv = b64url(sealed + aad_len + text_len + TAG_LEN, IV_LEN);
	n = aad_len + strlen(b_iv) + strlen(b_ct) + strlen(b_tag) + 5;
	jwe = malloc(n);
	snprintf(jwe, n, "%s..%s.%s.%s", aad, b_iv, b_ct, b_tag);
	hex("IV chosen by the kernel (role bit | random || counter): ",
	    sealed + aad_len + text_len + TAG_LEN, IV_LEN);
	n = strlen(jwe) + 40;
	content = malloc(n);
	snprintf(content, n, "{\"m2m:seci\":{\"sit\":5,\"epo\":\"%s\"}}", jwe);
	printf("Notify content: %s\n\n", content);

	printf("== Receiver: open the ESPrim Object\n");
	if (jwe_split(jwe, part, part_len)) {
		fprintf(stderr, "esprim_demo: malformed JWE\n");
		return 1;
	}
	/* The AAD is the header part exactly as received. */
	memcpy(in, part[0], part_len[0]);
	n = part_len[0];
	ok = b64url_decode(part[3], part_len[3], in + n) == (int)text_len;
	n += text_len;
	ok &= b64url_decode(part[4], part_len[4], in + n) == TAG_LEN;
	ok &= b64url_decode(part[2], part_len[2], in + n + TAG_LEN) == IV_LEN;
	out = malloc(n + 1);
	if (!ok || esprim_afalg_crypt(recv, false, NULL, part_len[0], in,
				      n + TRAILER, out, n) != (ssize_t)n) {
		fprintf(stderr, "esprim_demo: open failed\n");
		return 1;
	}
	out[n] = 0;
	printf("verified inner primitive: %s\n", out + part_len[0]);
	printf("equal to the original: %s\n",
	       strcmp((char *)out + part_len[0], request) ? "NO" : "yes");

	/* The same object, opened by userspace OpenSSL with the same key. */
	ok = gcm_open_openssl(key, in + n + TAG_LEN, (const uint8_t *)aad,
			      aad_len, in + part_len[0], text_len, in + n,
			      plain);
	printf("OpenSSL EVP AES-256-GCM opens it too: %s\n\n",
	       ok && !memcmp(plain, request, text_len) ? "yes" : "NO");

	printf("== /proc/crypto\n");
	print_proc_crypto_entry();

	kcapi_aead_destroy(orig);
	kcapi_aead_destroy(recv);
	free(content);
	free(jwe);
	free(b_iv);
	free(b_tag);
	free(b_ct);
	free(sealed);
	free(in);
	free(aad);
	ok = strcmp((char *)out + part_len[0], request) == 0;
	free(out);
	return !ok;
}
