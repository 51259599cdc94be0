// SPDX-License-Identifier: GPL-2.0
/*
 * ESCertKE engine (TS-0003 8.7.2.2, 10.2.3, 10.3.1; profile A, B.4 to
 * B.6): a TLS 1.2 handshake run by OpenSSL over memory BIOs, each flight
 * (all the records the stack wrote in one step) carried as base64.
 *
 * Identities.  TS-0003 10.1.1.5 puts the full URI of an AE-ID into
 * subjectAltName; this engine uses the same form for CSE-IDs: a
 * uniformResourceIdentifier SAN whose value is the Absolute ID,
 * "//sp.example/CSE-1" or "//sp.example/CSE-1/Cae1".  An expected
 * identity in SP-relative form ("/CSE-1") is expanded with this end-point's
 * own SP-ID (profile B.11), and SP-IDs compare case-insensitively (they are
 * domain names); everything else compares exactly.  A SAN that is not in
 * Absolute form never matches, so a certificate from another SP's CA
 * cannot claim a local ID.  dNSName SANs (TS-0003 10.1.1.7's public domain
 * name of a CSE-ID) are not looked at.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "escertke.h"

#define ESCERTKE_LABEL		"EXPORTER-oneM2M-ESCertKE"
/* A flight's records, decoded: ample for two chains of a few certs. */
#define ESCERTKE_MAX_FLIGHT	16384
#define ESCERTKE_MAX_B64	(((ESCERTKE_MAX_FLIGHT + 2) / 3) * 4)
#define ESCERTKE_ID_MAX		256

/* AES-GCM first (server preference), and the suite 10.2.3 requires. */
static const char escertke_ciphers[] =
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
	"ECDHE-ECDSA-AES128-SHA256";

enum escertke_role { ESCERTKE_INITIATOR, ESCERTKE_TERMINATOR };

/**
 * struct escertke_hs - one handshake in progress
 * @next: the engine's list
 * @ssl: the TLS state; its BIOs are @rbio (the peer's flights) and @wbio
 * @peer: the expected identity, Absolute form
 * @matched: the SAN that matched @peer (set by the verify callback)
 * @id_mismatch: the peer's certificate chained but named someone else
 * @unfit: why the peer's end-entity certificate may not be used here
 *	(set by the verify callback), or NULL
 * @role: which end we are
 * @last_ms: when it last moved (CLOCK_MONOTONIC)
 */
struct escertke_hs {
	struct escertke_hs *next;
	SSL *ssl;
	BIO *rbio, *wbio;
	char peer[ESCERTKE_ID_MAX];
	char matched[ESCERTKE_ID_MAX];
	bool id_mismatch;
	const char *unfit;
	enum escertke_role role;
	uint64_t last_ms;
};

/**
 * struct escertke_peer - the message 1s accepted from one peer lately
 * @next: the engine's list
 * @peer: its identity, Absolute form
 * @window_ms: when the first of them came (CLOCK_MONOTONIC)
 * @starts: how many came within timeout_ms of @window_ms
 *
 * Kept apart from the handshakes: each message 1 costs an ECDSA signature
 * and an ECDHE key, and a handshake ends at the first bad flight, so a
 * count kept in it would start again with every message 1 that follows.
 */
struct escertke_peer {
	struct escertke_peer *next;
	char peer[ESCERTKE_ID_MAX];
	uint64_t window_ms;
	unsigned int starts;
};

/**
 * struct escertke - the engine
 * @ctx: one SSL_CTX for both roles
 * @sp_id: this end-point's SP-ID ("sp.example"), empty if its identity is
 *	not Absolute
 * @identity: its identity, Absolute form when it has one
 * @not_after: its certificate's end (realtime seconds)
 * @cert_pem: the certificate for esi
 * @list: handshakes in progress
 * @n: their number
 * @peers: message 1s counted per peer (at most max_total peers)
 * @n_peers: their number
 */
struct escertke {
	SSL_CTX *ctx;
	struct escertke_config cfg;
	char sp_id[ESCERTKE_ID_MAX];
	char identity[ESCERTKE_ID_MAX];
	time_t not_after;
	char *cert_pem;
	struct escertke_hs *list;
	unsigned int n;
	struct escertke_peer *peers;
	unsigned int n_peers;
};

static void seterr(char *err, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!err || !size)
		return;
	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * The Absolute form of id into out: "//sp/..." stays (the SP-ID
 * lowercased), "/CSE..." gains sp_id when there is one.  -EINVAL for an
 * empty or overlong ID, or a relative one with no SP-ID to expand it.
 */
static int absolute_id(const char *id, const char *sp_id, char *out,
		       size_t size)
{
	size_t i;
	int n;

	if (!id || !*id || strlen(id) >= size)
		return -EINVAL;
	if (!strncmp(id, "//", 2)) {
		const char *slash = strchr(id + 2, '/');

		if (slash == id + 2 || (slash && !slash[1]))
			return -EINVAL;
		strcpy(out, id);
		for (i = 2; out[i] && out[i] != '/'; i++)
			if (out[i] >= 'A' && out[i] <= 'Z')
				out[i] += 'a' - 'A';
		return 0;
	}
	if (id[0] == '/' && id[1] && sp_id[0]) {
		n = snprintf(out, size, "//%s%s", sp_id, id);
		return n > 0 && (size_t)n < size ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/*
 * Whether cert names abs_id (Absolute) in a URI SAN; the SAN that matched
 * into found.
 */
static bool cert_names(X509 *cert, const char *abs_id, char *found,
		       size_t size)
{
	GENERAL_NAMES *names;
	char norm[ESCERTKE_ID_MAX];
	bool ok = false;
	int i;

	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (!names)
		return false;
	for (i = 0; i < sk_GENERAL_NAME_num(names) && !ok; i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		const ASN1_IA5STRING *uri;
		char s[ESCERTKE_ID_MAX];
		int len;

		if (gn->type != GEN_URI)
			continue;
		uri = gn->d.uniformResourceIdentifier;
		len = ASN1_STRING_length(uri);
		/* No embedded NUL, nothing cut short. */
		if (len <= 0 || len >= (int)sizeof(s) ||
		    memchr(ASN1_STRING_get0_data(uri), 0, len))
			continue;
		memcpy(s, ASN1_STRING_get0_data(uri), len);
		s[len] = 0;
		if (strncmp(s, "//", 2) ||
		    absolute_id(s, "", norm, sizeof(norm)))
			continue;
		if (!strcmp(norm, abs_id)) {
			ok = true;
			if (found)
				snprintf(found, size, "%s", norm);
		}
	}
	GENERAL_NAMES_free(names);
	return ok;
}

static time_t asn1_to_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

/*
 * Why an end-entity certificate may not authenticate an ESCertKE peer, or
 * NULL: a CA's certificate is no end-entity's (RFC 5280 4.2.1.9), and
 * ECDHE_ECDSA signs with the key, which a keyUsage without
 * digitalSignature forbids (4.2.1.3).  The chain's purpose check does not
 * look at either for the leaf.
 */
static const char *leaf_unfit(X509 *cert, int *verr)
{
	uint32_t flags = X509_get_extension_flags(cert);

	if (flags & EXFLAG_CA) {
		*verr = X509_V_ERR_INVALID_PURPOSE;
		return "a CA certificate as end-entity";
	}
	if ((flags & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE)) {
		*verr = X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE;
		return "keyUsage without digitalSignature";
	}
	return NULL;
}

/*
 * Chain verified up to here: the end-entity must be fit for this and
 * name the peer.
 */
static int verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
				SSL_get_ex_data_X509_STORE_CTX_idx());
	struct escertke_hs *hs = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *cert;
	int verr;

	if (!ok || !hs || X509_STORE_CTX_get_error_depth(xs) != 0)
		return ok;
	cert = X509_STORE_CTX_get_current_cert(xs);
	hs->unfit = leaf_unfit(cert, &verr);
	if (hs->unfit) {
		X509_STORE_CTX_set_error(xs, verr);
		return 0;
	}
	if (cert_names(cert, hs->peer, hs->matched, sizeof(hs->matched)))
		return 1;
	hs->id_mismatch = true;
	X509_STORE_CTX_set_error(xs, X509_V_ERR_SUBJECT_ISSUER_MISMATCH);
	return 0;
}

static void openssl_err(char *err, size_t size, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	seterr(err, size, "%s: %s", what, e ? buf : "unknown error");
	ERR_clear_error();
}

static int load_cert_info(struct escertke *e, char *err, size_t size)
{
	X509 *cert = SSL_CTX_get0_certificate(e->ctx);
	EVP_PKEY *pk = SSL_CTX_get0_privatekey(e->ctx);
	BIO *mem;
	char *p;
	long n;

	if (!cert || !pk) {
		seterr(err, size, "%s: no certificate or key",
		       e->cfg.cert_file);
		return -EINVAL;
	}
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_EC) {
		seterr(err, size, "%s: not an EC key (ECDHE_ECDSA suites)",
		       e->cfg.key_file);
		return -EINVAL;
	}
	if (!cert_names(cert, e->identity, NULL, 0)) {
		seterr(err, size, "%s: no URI subjectAltName %s",
		       e->cfg.cert_file, e->identity);
		return -EINVAL;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0 ||
	    X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0) {
		seterr(err, size, "%s: not valid now", e->cfg.cert_file);
		return -EINVAL;
	}
	e->not_after = asn1_to_time(X509_get0_notAfter(cert));
	mem = BIO_new(BIO_s_mem());
	if (!mem || !PEM_write_bio_X509(mem, cert)) {
		BIO_free(mem);
		return -ENOMEM;
	}
	n = BIO_get_mem_data(mem, &p);
	e->cert_pem = n > 0 ? strndup(p, n) : NULL;
	BIO_free(mem);
	return e->cert_pem ? 0 : -ENOMEM;
}

static int setup_ctx(struct escertke *e, char *err, size_t size)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_method());

	if (!ctx)
		return -ENOMEM;
	e->ctx = ctx;
	/*
	 * TLS 1.2 alone (8.7.2.2), no tickets or session cache (every key
	 * from a full handshake), no renegotiation, no compression; the
	 * server's order of suites, so that GCM wins when both are offered.
	 */
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, escertke_ciphers) ||
	    !SSL_CTX_set1_groups_list(ctx, "P-256:P-384") ||
	    !SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA256:ECDSA+SHA384")) {
		openssl_err(err, size, "TLS settings");
		return -EINVAL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_NO_COMPRESSION |
			    SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_clear_options(ctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	SSL_CTX_set_verify_depth(ctx, 4);
	if (SSL_CTX_use_certificate_chain_file(ctx, e->cfg.cert_file) != 1) {
		openssl_err(err, size, e->cfg.cert_file);
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, e->cfg.key_file,
					SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		openssl_err(err, size, e->cfg.key_file);
		return -EINVAL;
	}
	if (SSL_CTX_load_verify_locations(ctx, e->cfg.trust_file,
					  NULL) != 1) {
		openssl_err(err, size, e->cfg.trust_file);
		return -EINVAL;
	}
	return load_cert_info(e, err, size);
}

int escertke_new(struct escertke **out, const struct escertke_config *cfg,
		 char *err, size_t err_size)
{
	struct escertke *e;
	const char *slash;
	int ret;

	*out = NULL;
	if (!cfg->cert_file || !cfg->key_file || !cfg->trust_file ||
	    !cfg->identity || !cfg->timeout_ms || !cfg->max_per_peer ||
	    !cfg->max_total || !cfg->key_lifetime_s) {
		seterr(err, err_size, "escertke: incomplete configuration");
		return -EINVAL;
	}
	if (strncmp(cfg->identity, "//", 2)) {
		seterr(err, err_size, "escertke: identity %s is not Absolute",
		       cfg->identity);
		return -EINVAL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->cfg = *cfg;
	ret = absolute_id(cfg->identity, "", e->identity,
			  sizeof(e->identity));
	if (ret) {
		seterr(err, err_size, "escertke: bad identity %s",
		       cfg->identity);
		goto fail;
	}
	slash = strchr(e->identity + 2, '/');
	snprintf(e->sp_id, sizeof(e->sp_id), "%.*s",
		 (int)(slash ? slash - e->identity - 2 : 0), e->identity + 2);
	ret = setup_ctx(e, err, err_size);
	if (ret)
		goto fail;
	/* The paths are the caller's; none is needed after this. */
	e->cfg.cert_file = e->cfg.key_file = e->cfg.trust_file = NULL;
	e->cfg.identity = e->identity;
	*out = e;
	return 0;
fail:
	escertke_free(e);
	return ret;
}

static void hs_free(struct escertke_hs *hs)
{
	if (!hs)
		return;
	SSL_free(hs->ssl);	/* frees its BIOs */
	OPENSSL_cleanse(hs, sizeof(*hs));
	free(hs);
}

/* Unlinks and frees hs. */
static void hs_drop(struct escertke *e, struct escertke_hs *hs)
{
	struct escertke_hs **pp;

	for (pp = &e->list; *pp; pp = &(*pp)->next) {
		if (*pp == hs) {
			*pp = hs->next;
			e->n--;
			break;
		}
	}
	hs_free(hs);
}

/*
 * Forgets the counts of peers whose window has passed (all, for a now
 * past them all); a now before a window keeps it.
 */
static void peers_prune(struct escertke *e, uint64_t now)
{
	struct escertke_peer **pp = &e->peers, *p;

	while ((p = *pp)) {
		if (now >= p->window_ms &&
		    now - p->window_ms >= e->cfg.timeout_ms) {
			*pp = p->next;
			e->n_peers--;
			free(p);
		} else {
			pp = &p->next;
		}
	}
}

void escertke_free(struct escertke *e)
{
	if (!e)
		return;
	while (e->list)
		hs_drop(e, e->list);
	while (e->peers) {
		struct escertke_peer *p = e->peers;

		e->peers = p->next;
		free(p);
	}
	SSL_CTX_free(e->ctx);
	free(e->cert_pem);
	free(e);
}

const char *escertke_cert_pem(const struct escertke *e)
{
	return e->cert_pem;
}

static struct escertke_hs *hs_find(struct escertke *e, const char *abs_peer,
				   enum escertke_role role)
{
	struct escertke_hs *hs;

	for (hs = e->list; hs; hs = hs->next)
		if (hs->role == role && !strcmp(hs->peer, abs_peer))
			return hs;
	return NULL;
}

/*
 * Strict base64 (standard alphabet, padded, canonical) of at most
 * ESCERTKE_MAX_FLIGHT octets into a new buffer.  -EBADMSG otherwise.
 */
static int b64_decode(const char *in, unsigned char **out, size_t *outlen)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len, i, pad = 0;
	unsigned char *buf;
	const char *last;
	int n;

	if (!in)
		return -EBADMSG;
	len = strnlen(in, ESCERTKE_MAX_B64 + 1);
	if (!len || len > ESCERTKE_MAX_B64 || len % 4)
		return -EBADMSG;
	if (in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len - pad; i++)
		if (!in[i] || !strchr(alpha, in[i]))
			return -EBADMSG;
	/* The bits the padding leaves over are zero. */
	last = strchr(alpha, in[len - pad - 1]);
	if ((pad == 1 && (last - alpha) & 0x3) ||
	    (pad == 2 && (last - alpha) & 0xf))
		return -EBADMSG;
	buf = malloc(len / 4 * 3);
	if (!buf)
		return -ENOMEM;
	n = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)len);
	if (n < 0 || (size_t)n < pad) {
		free(buf);
		return -EBADMSG;
	}
	*out = buf;
	*outlen = (size_t)n - pad;
	return 0;
}

/* What the stack wrote in this step, base64, into *out (NULL if none). */
static int flight_out(struct escertke_hs *hs, char **out)
{
	size_t n = BIO_ctrl_pending(hs->wbio);
	unsigned char *raw;
	char *b64;
	int got;

	*out = NULL;
	if (!n)
		return 0;
	if (n > ESCERTKE_MAX_FLIGHT)
		return -EMSGSIZE;
	raw = malloc(n);
	b64 = malloc((n + 2) / 3 * 4 + 1);
	if (!raw || !b64) {
		free(raw);
		free(b64);
		return -ENOMEM;
	}
	got = BIO_read(hs->wbio, raw, (int)n);
	if (got != (int)n) {
		free(raw);
		free(b64);
		return -EIO;
	}
	EVP_EncodeBlock((unsigned char *)b64, raw, got);
	free(raw);
	*out = b64;
	return 0;
}

static const char *role_name(const struct escertke_hs *hs)
{
	return hs->role == ESCERTKE_INITIATOR ? "initiator" : "terminator";
}

/*
 * The errno for a failed step, and why into err: the peer's refusal
 * (an alert), our verification of its certificate, or the stack's reason.
 */
static int hs_error(struct escertke_hs *hs, char *err, size_t size)
{
	unsigned long e = ERR_peek_error();
	long vr = SSL_get_verify_result(hs->ssl);
	int reason = ERR_GET_REASON(e);
	char buf[256];
	int alert;

	if (hs->id_mismatch) {
		seterr(err, size, "ESCertKE %s: certificate does not name %s",
		       role_name(hs), hs->peer);
		ERR_clear_error();
		return -EACCES;
	}
	if (hs->unfit) {
		seterr(err, size, "ESCertKE %s with %s: certificate: %s",
		       role_name(hs), hs->peer, hs->unfit);
		ERR_clear_error();
		return -EACCES;
	}
	if (vr != X509_V_OK) {
		seterr(err, size, "ESCertKE %s with %s: certificate: %s",
		       role_name(hs), hs->peer,
		       X509_verify_cert_error_string(vr));
		ERR_clear_error();
		return -EACCES;
	}
	ERR_error_string_n(e, buf, sizeof(buf));
	seterr(err, size, "ESCertKE %s with %s: %s", role_name(hs), hs->peer,
	       e ? buf : "handshake failed");
	ERR_clear_error();
	/* A fatal alert from the peer: reasons 1000 + its description. */
	if (ERR_GET_LIB(e) == ERR_LIB_SSL && reason >= SSL_AD_REASON_OFFSET &&
	    reason < SSL_AD_REASON_OFFSET + 256) {
		alert = reason - SSL_AD_REASON_OFFSET;
		switch (alert) {
		case SSL_AD_DECODE_ERROR:
		case SSL_AD_UNEXPECTED_MESSAGE:
		case SSL_AD_RECORD_OVERFLOW:
		case SSL_AD_ILLEGAL_PARAMETER:
			return -EBADMSG;
		case SSL_AD_HANDSHAKE_FAILURE:
		case SSL_AD_PROTOCOL_VERSION:
		case SSL_AD_INSUFFICIENT_SECURITY:
			return -EPROTO;
		default:
			return -EACCES;
		}
	}
	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return -EACCES;
	switch (reason) {
	/* Not TLS 1.2 records or handshake messages as they should be. */
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
	case SSL_R_RECORD_LENGTH_MISMATCH:
	case SSL_R_LENGTH_MISMATCH:
	case SSL_R_LENGTH_TOO_SHORT:
	case SSL_R_BAD_LENGTH:
	case SSL_R_BAD_PACKET_LENGTH:
	case SSL_R_BAD_PACKET:
	case SSL_R_EXCESSIVE_MESSAGE_SIZE:
	case SSL_R_UNEXPECTED_MESSAGE:
	case SSL_R_UNEXPECTED_RECORD:
	case SSL_R_UNKNOWN_PROTOCOL:
	case SSL_R_HTTP_REQUEST:
	case SSL_R_BAD_EXTENSION:
	case SSL_R_BAD_HANDSHAKE_LENGTH:
		return -EBADMSG;
	/* Nothing in common: versions, suites, groups. */
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_NO_SHARED_CIPHER:
	case SSL_R_NO_SHARED_GROUPS:
	case SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM:
	case SSL_R_NO_PROTOCOLS_AVAILABLE:
	case SSL_R_WRONG_CIPHER_RETURNED:
	case SSL_R_VERSION_TOO_LOW:
	case SSL_R_VERSION_TOO_HIGH:
		return -EPROTO;
	default:
		/* Signatures, Finished, record MACs: authentication. */
		return -EACCES;
	}
}

/*
 * A failed step: the alert the stack wrote (if any) for the peer into
 * *out, the handshake dropped.
 */
static int hs_fail(struct escertke *e, struct escertke_hs *hs, int ret,
		   char **out)
{
	if (out && !*out)
		flight_out(hs, out);
	hs_drop(e, hs);
	return ret;
}

/* The key and its ID from a finished handshake. */
static int hs_result(struct escertke *e, struct escertke_hs *hs,
		     struct escertke_result *res, char *err, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char km[48];
	X509 *peer_cert;
	time_t now = time(NULL), exp, pna;
	int i;

	/*
	 * RFC 7627: without the extended master secret the exporter's
	 * output is not bound to this handshake.
	 */
	if (SSL_get_extms_support(hs->ssl) != 1) {
		seterr(err, size, "ESCertKE %s with %s: no extended master "
		       "secret", role_name(hs), hs->peer);
		return -EACCES;
	}
	peer_cert = SSL_get0_peer_certificate(hs->ssl);
	if (!peer_cert || !hs->matched[0]) {
		seterr(err, size, "ESCertKE %s with %s: no peer certificate",
		       role_name(hs), hs->peer);
		return -EACCES;
	}
	if (SSL_export_keying_material(hs->ssl, km, sizeof(km),
				       ESCERTKE_LABEL,
				       sizeof(ESCERTKE_LABEL) - 1,
				       NULL, 0, 0) != 1) {
		openssl_err(err, size, "ESCertKE export");
		OPENSSL_cleanse(km, sizeof(km));
		return -EIO;
	}
	memset(res, 0, sizeof(*res));
	snprintf(res->peer, sizeof(res->peer), "%s", hs->matched);
	for (i = 0; i < 16; i++) {
		res->kid[2 * i] = hex[km[i] >> 4];
		res->kid[2 * i + 1] = hex[km[i] & 0xf];
	}
	res->kid[32] = 0;
	memcpy(res->key, km + 16, 32);
	OPENSSL_cleanse(km, sizeof(km));
	exp = now + (time_t)e->cfg.key_lifetime_s;
	if (e->not_after && e->not_after < exp)
		exp = e->not_after;
	pna = asn1_to_time(X509_get0_notAfter(peer_cert));
	if (pna && pna < exp)
		exp = pna;
	res->expires = exp;
	return 1;
}

/*
 * The count of message 1s from abs_peer in its window, a new one when
 * there is none (NULL for a peer beyond max_total: -EBUSY, or out of
 * memory: -ENOMEM, into *ret).  Counts of past windows are dropped first.
 */
static struct escertke_peer *peer_count(struct escertke *e,
					const char *abs_peer, uint64_t now,
					int *ret)
{
	struct escertke_peer *p;

	peers_prune(e, now);
	for (p = e->peers; p; p = p->next)
		if (!strcmp(p->peer, abs_peer))
			return p;
	if (e->n_peers >= e->cfg.max_total) {
		*ret = -EBUSY;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		*ret = -ENOMEM;
		return NULL;
	}
	snprintf(p->peer, sizeof(p->peer), "%s", abs_peer);
	p->window_ms = now;
	p->next = e->peers;
	e->peers = p;
	e->n_peers++;
	return p;
}

/*
 * A new handshake with abs_peer in role, replacing any in the same role.
 * At most max_per_peer handshakes in progress with one peer, max_total in
 * all; as the terminator, at most max_per_peer message 1s accepted from
 * one peer per timeout_ms, however their handshakes ended.
 */
static int hs_start(struct escertke *e, const char *abs_peer,
		    enum escertke_role role, struct escertke_hs **out,
		    char *err, size_t size)
{
	struct escertke_hs *old = hs_find(e, abs_peer, role), *hs;
	struct escertke_peer *count = NULL;
	unsigned int peer_n = 1, total = e->n + 1;
	uint64_t now = now_ms();
	int ret = 0;

	for (hs = e->list; hs; hs = hs->next)
		if (hs != old && !strcmp(hs->peer, abs_peer))
			peer_n++;
	if (old)
		total--;
	if (peer_n > e->cfg.max_per_peer) {
		seterr(err, size, "ESCertKE: too many handshakes with %s",
		       abs_peer);
		return -EBUSY;
	}
	if (total > e->cfg.max_total) {
		seterr(err, size, "ESCertKE: too many handshakes (%u)",
		       e->cfg.max_total);
		return -EBUSY;
	}
	if (role == ESCERTKE_TERMINATOR) {
		count = peer_count(e, abs_peer, now, &ret);
		if (ret == -EBUSY)
			seterr(err, size, "ESCertKE: message 1s from too many "
			       "peers (%u)", e->cfg.max_total);
		if (ret)
			return ret;
		if (count->starts >= e->cfg.max_per_peer) {
			seterr(err, size, "ESCertKE: %u message 1s from %s "
			       "within %u ms", count->starts, abs_peer,
			       e->cfg.timeout_ms);
			return -EBUSY;
		}
	}
	hs = calloc(1, sizeof(*hs));
	if (!hs)
		return -ENOMEM;
	snprintf(hs->peer, sizeof(hs->peer), "%s", abs_peer);
	hs->role = role;
	hs->last_ms = now;
	hs->ssl = SSL_new(e->ctx);
	hs->rbio = BIO_new(BIO_s_mem());
	hs->wbio = BIO_new(BIO_s_mem());
	if (!hs->ssl || !hs->rbio || !hs->wbio) {
		BIO_free(hs->rbio);
		BIO_free(hs->wbio);
		hs_free(hs);
		ERR_clear_error();
		return -ENOMEM;
	}
	/* An empty memory BIO means "wait", not end of file. */
	BIO_set_mem_eof_return(hs->rbio, -1);
	SSL_set_bio(hs->ssl, hs->rbio, hs->wbio);
	SSL_set_app_data(hs->ssl, hs);
	if (role == ESCERTKE_INITIATOR)
		SSL_set_connect_state(hs->ssl);
	else
		SSL_set_accept_state(hs->ssl);
	if (old)
		hs_drop(e, old);
	hs->next = e->list;
	e->list = hs;
	e->n++;
	if (count)
		count->starts++;
	*out = hs;
	return 0;
}

/*
 * Feeds one flight (raw, may be NULL) and runs the stack: 1 finished,
 * 0 waiting for the peer's next flight with output in *out, or an error
 * (the handshake dropped).  A flight must be whole: one that leaves the
 * stack waiting with nothing to say, or that leaves octets unread, is
 * malformed.
 */
static int hs_run(struct escertke *e, struct escertke_hs *hs,
		  const unsigned char *raw, size_t len, char **out,
		  char *err, size_t size)
{
	int r, ret;

	*out = NULL;
	ERR_clear_error();
	hs->last_ms = now_ms();
	if (len && BIO_write(hs->rbio, raw, (int)len) != (int)len)
		return hs_fail(e, hs, -ENOMEM, NULL);
	r = SSL_do_handshake(hs->ssl);
	if (r <= 0 && SSL_get_error(hs->ssl, r) != SSL_ERROR_WANT_READ)
		return hs_fail(e, hs, hs_error(hs, err, size), out);
	if (BIO_ctrl_pending(hs->rbio)) {
		seterr(err, size, "ESCertKE %s with %s: octets after the "
		       "flight", role_name(hs), hs->peer);
		return hs_fail(e, hs, -EBADMSG, NULL);
	}
	ret = flight_out(hs, out);
	if (ret) {
		seterr(err, size, "ESCertKE %s with %s: flight too large",
		       role_name(hs), hs->peer);
		return hs_fail(e, hs, ret, NULL);
	}
	if (r == 1)
		return 1;
	if (!*out) {
		seterr(err, size, "ESCertKE %s with %s: incomplete flight",
		       role_name(hs), hs->peer);
		return hs_fail(e, hs, -EBADMSG, NULL);
	}
	return 0;
}

/* A step for a handshake that has stalled too long: dropped. */
static bool hs_stale(const struct escertke *e, const struct escertke_hs *hs)
{
	return now_ms() - hs->last_ms >= e->cfg.timeout_ms;
}

int escertke_initiate(struct escertke *e, const char *peer, char **out,
		      char *err, size_t err_size)
{
	char abs_peer[ESCERTKE_ID_MAX];
	struct escertke_hs *hs;
	int ret;

	*out = NULL;
	if (absolute_id(peer, e->sp_id, abs_peer, sizeof(abs_peer))) {
		seterr(err, err_size, "ESCertKE: bad peer identity");
		return -EINVAL;
	}
	ret = hs_start(e, abs_peer, ESCERTKE_INITIATOR, &hs, err, err_size);
	if (ret)
		return ret;
	ret = hs_run(e, hs, NULL, 0, out, err, err_size);
	if (ret == 1) {	/* cannot be: the server has not spoken */
		free(*out);
		*out = NULL;
		hs_drop(e, hs);
		return -EPROTO;
	}
	return ret;
}

/* Finished: the result, or the handshake's end without one. */
static int hs_finish(struct escertke *e, struct escertke_hs *hs,
		     struct escertke_result *res, char *err, size_t size)
{
	int ret = hs_result(e, hs, res, err, size);

	hs_drop(e, hs);
	return ret;
}

int escertke_initiator_step(struct escertke *e, const char *peer,
			    const char *in, char **out,
			    struct escertke_result *res,
			    char *err, size_t err_size)
{
	char abs_peer[ESCERTKE_ID_MAX];
	struct escertke_hs *hs;
	unsigned char *raw;
	size_t len;
	int ret;

	*out = NULL;
	if (absolute_id(peer, e->sp_id, abs_peer, sizeof(abs_peer))) {
		seterr(err, err_size, "ESCertKE: bad peer identity");
		return -EINVAL;
	}
	hs = hs_find(e, abs_peer, ESCERTKE_INITIATOR);
	if (!hs) {
		seterr(err, err_size, "ESCertKE: no handshake with %s",
		       abs_peer);
		return -ENOENT;
	}
	if (hs_stale(e, hs)) {
		seterr(err, err_size, "ESCertKE: handshake with %s timed out",
		       abs_peer);
		hs_drop(e, hs);
		return -ETIMEDOUT;
	}
	ret = b64_decode(in, &raw, &len);
	if (ret) {
		seterr(err, err_size, "ESCertKE: malformed eckm from %s",
		       abs_peer);
		hs_drop(e, hs);
		return ret;
	}
	ret = hs_run(e, hs, raw, len, out, err, err_size);
	free(raw);
	if (ret < 0)
		return ret;
	if (ret == 0)
		return 0;
	/* Finished on message 4: it must not answer anything. */
	if (*out) {
		free(*out);
		*out = NULL;
		seterr(err, err_size, "ESCertKE initiator with %s: "
		       "unexpected output", abs_peer);
		hs_drop(e, hs);
		return -EPROTO;
	}
	return hs_finish(e, hs, res, err, err_size);
}

/*
 * Whether a flight opens with a ClientHello: a handshake record whose
 * first message is of type 1.  -EBADMSG for what is no TLS record.
 */
static int is_message1(const unsigned char *raw, size_t len)
{
	if (len < 6 || raw[1] != 3)
		return -EBADMSG;
	if (raw[0] == SSL3_RT_HANDSHAKE && raw[5] == SSL3_MT_CLIENT_HELLO)
		return 1;
	if (raw[0] == SSL3_RT_HANDSHAKE || raw[0] == SSL3_RT_ALERT)
		return 0;
	return -EBADMSG;
}

int escertke_respond(struct escertke *e, const char *from, const char *in,
		     char **out, struct escertke_result *res,
		     char *err, size_t err_size)
{
	char abs_peer[ESCERTKE_ID_MAX];
	struct escertke_hs *hs;
	unsigned char *raw;
	size_t len;
	int ret, first;

	*out = NULL;
	if (absolute_id(from, e->sp_id, abs_peer, sizeof(abs_peer))) {
		seterr(err, err_size, "ESCertKE: bad From");
		return -EINVAL;
	}
	ret = b64_decode(in, &raw, &len);
	if (!ret) {
		first = is_message1(raw, len);
		if (first < 0) {
			free(raw);
			ret = first;
		}
	}
	if (ret) {
		/*
		 * Refused, and a handshake in progress goes on: the From is
		 * not authenticated, and what never reached TLS may come
		 * from anyone (a flight TLS refuses still ends it).
		 */
		if (ret == -EBADMSG)
			seterr(err, err_size, "ESCertKE: malformed eckm "
			       "from %s", abs_peer);
		return ret;
	}
	if (first) {
		ret = hs_start(e, abs_peer, ESCERTKE_TERMINATOR, &hs, err,
			       err_size);
		if (ret) {
			free(raw);
			return ret;
		}
	} else {
		hs = hs_find(e, abs_peer, ESCERTKE_TERMINATOR);
		if (!hs) {
			free(raw);
			seterr(err, err_size, "ESCertKE: no handshake with "
			       "%s", abs_peer);
			return -ENOENT;
		}
		if (hs_stale(e, hs)) {
			free(raw);
			seterr(err, err_size, "ESCertKE: handshake with %s "
			       "timed out", abs_peer);
			hs_drop(e, hs);
			return -ETIMEDOUT;
		}
	}
	ret = hs_run(e, hs, raw, len, out, err, err_size);
	free(raw);
	if (ret < 0)
		return ret;
	if (ret == 1 && first) {
		/* Message 1 cannot finish a handshake. */
		free(*out);
		*out = NULL;
		hs_drop(e, hs);
		return -EPROTO;
	}
	if (ret == 0 && !first) {
		/* Message 3 must finish it (no renegotiation, no retry). */
		free(*out);
		*out = NULL;
		seterr(err, err_size, "ESCertKE terminator with %s: message 3 "
		       "did not finish the handshake", abs_peer);
		hs_drop(e, hs);
		return -EBADMSG;
	}
	if (ret == 0)
		return 0;
	ret = hs_finish(e, hs, res, err, err_size);
	if (ret < 0) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

unsigned int escertke_expire(struct escertke *e, uint64_t now)
{
	struct escertke_hs **pp = &e->list, *hs;
	unsigned int n = 0;

	while ((hs = *pp)) {
		if (now >= hs->last_ms &&
		    now - hs->last_ms >= e->cfg.timeout_ms) {
			*pp = hs->next;
			e->n--;
			hs_free(hs);
			n++;
		} else {
			pp = &hs->next;
		}
	}
	peers_prune(e, now);
	return n;
}

unsigned int escertke_in_progress(const struct escertke *e)
{
	return e->n;
}

void escertke_result_wipe(struct escertke_result *res)
{
	if (res)
		OPENSSL_cleanse(res, sizeof(*res));
}
