// SPDX-License-Identifier: GPL-2.0
/*
 * Module life cycle: autoload through the crypto alias once installed with
 * depmod, unload refused while a tfm is open, load/unload cycles.  Runs
 * inside the test VM as root; leaves the module loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <kcapi.h>
#include <keyutils.h>

#include "kselftest_harness.h"
#include "esprim_afalg.h"

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
#include "../../kmod/selftest_vectors.h"

#define MODULE_NAME	"onem2m_esprim"

static const uint8_t key[16] = "0123456789abcdef";

static int module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/" MODULE_NAME, &st) == 0;
}

static int unload(void)
{
	return syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK) ? -errno : 0;
}

static int load(void)
{
	return system("modprobe " MODULE_NAME) == 0 ? 0 : -1;
}

static int open_tfm(struct kcapi_handle **h)
{
	struct onem2m_esprim_key_raw blob;

	esprim_key_raw_init(&blob, key, sizeof(key),
			    ONEM2M_ESPRIM_ROLE_ORIGINATOR, 0);
	return esprim_afalg_open(h, ONEM2M_ESPRIM_AEAD_ALG, &blob,
				 sizeof(blob), ONEM2M_ESPRIM_TRAILER_LEN);
}

/*
 * Seals one small message and opens it on the same side; returns 0 when
 * both work: the tag verifies, then the object is refused as reflected
 * (-EALREADY comes only after a verified tag).
 */
static int roundtrip(struct kcapi_handle *h)
{
	uint8_t sealed[4 + 5 + ONEM2M_ESPRIM_TRAILER_LEN], out[9];

	if (esprim_afalg_crypt(h, true, NULL, 4, (const uint8_t *)"aad!hello",
			       9, sealed, sizeof(sealed)) != sizeof(sealed))
		return -1;
	if (esprim_afalg_crypt(h, false, NULL, 4, sealed, sizeof(sealed), out,
			       sizeof(out)) != -EALREADY)
		return -1;
	return 0;
}

TEST(unload_refused_while_tfm_open)
{
	struct kcapi_handle *h;
	int err;

	ASSERT_EQ(0, load());
	ASSERT_EQ(0, open_tfm(&h));
	ASSERT_EQ(0, roundtrip(h));

	err = unload();
	EXPECT_TRUE(err == -EWOULDBLOCK || err == -EBUSY) TH_LOG("%d", err);
	EXPECT_TRUE(module_loaded());
	/* The refused unload left the open tfm working. */
	EXPECT_EQ(0, roundtrip(h));

	kcapi_aead_destroy(h);
	EXPECT_EQ(0, unload());
	EXPECT_FALSE(module_loaded());
}

TEST(autoload_through_alias)
{
	struct kcapi_handle *h;
	int err;

	err = unload();
	ASSERT_TRUE(err == 0 || err == -ENOENT) TH_LOG("%d", err);
	ASSERT_FALSE(module_loaded());

	/* Binding the algorithm name is all it takes. */
	ASSERT_EQ(0, open_tfm(&h));
	EXPECT_TRUE(module_loaded());
	EXPECT_EQ(0, roundtrip(h));
	kcapi_aead_destroy(h);
}

/*
 * Unloading with live keys: refused while a tfm uses one, then the keys
 * die with the key type and a reloaded module starts clean.
 */
TEST(unload_with_live_keys)
{
	struct onem2m_esprim_pairwise_payload p = {
		.hdr = { .version = ONEM2M_ESPRIM_PAYLOAD_V1,
			 .kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE },
		.key_len = 16, .peer_len = 4, .peer = "CAE1",
	};
	struct onem2m_esprim_key_ref ref = {
		.hdr = { .version = ONEM2M_ESPRIM_KEY_BLOB_V1,
			 .form = ONEM2M_ESPRIM_KEY_FORM_REF },
	};
	uint8_t buf[512] = { 0 };
	struct onem2m_esprim_session_payload *sp = (void *)buf;
	struct kcapi_handle *h;
	key_serial_t pw, s;
	char desc[128];
	int err;

	if (!module_loaded())
		ASSERT_EQ(0, load());
	ASSERT_LT(0, keyctl_join_session_keyring(NULL));
	pw = add_key("esprim", "pairwise:k", &p, sizeof(p),
		     KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, pw);
	sp->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	sp->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	sp->pairwise = pw;
	sp->enc = ONEM2M_ESPRIM_ENC_A256GCM;
	sp->replay = ONEM2M_ESPRIM_REPLAY_OFF;
	sp->rro_len = 2;
	sp->oro_len = 2;
	memcpy(sp->rand_objects, "{}{}", 4);
	s = add_key("esprim", "session:k:o:r", buf, sizeof(*sp) + 4,
		    KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, s);
	ref.serial = s;
	ASSERT_EQ(0, esprim_afalg_open(&h, ONEM2M_ESPRIM_AEAD_ALG, &ref,
				       sizeof(ref), ONEM2M_ESPRIM_TRAILER_LEN));
	ASSERT_EQ(0, roundtrip(h));

	err = unload();
	EXPECT_TRUE(err == -EWOULDBLOCK || err == -EBUSY) TH_LOG("%d", err);
	EXPECT_EQ(0, roundtrip(h));
	kcapi_aead_destroy(h);

	/* No tfm left: the keys do not hold the module. */
	EXPECT_EQ(0, unload());
	EXPECT_EQ(-1, keyctl_describe(s, desc, sizeof(desc)));
	ASSERT_EQ(0, load());
	EXPECT_EQ(-1, keyctl_describe(pw, desc, sizeof(desc)));
}

TEST(load_unload_cycles)
{
	int i;

	for (i = 0; i < 5; i++) {
		struct kcapi_handle *h;

		if (!module_loaded())
			ASSERT_EQ(0, load());
		ASSERT_EQ(0, open_tfm(&h));
		ASSERT_EQ(0, roundtrip(h));
		kcapi_aead_destroy(h);
		ASSERT_EQ(0, unload()) TH_LOG("cycle %d", i);
	}
	ASSERT_EQ(0, load());
}

/*
 * A module whose known answer no longer matches must refuse to load and
 * leave no template behind.  The test corrupts one expected byte in a copy
 * of the installed module instead of building a special one.
 */
TEST(failed_self_test_blocks_load)
{
	char path[256], tmp[] = "/tmp/onem2m_esprim_bad.ko";
	struct kcapi_handle *h;
	struct utsname u;
	uint8_t *image, *hit;
	long size;
	FILE *f;
	int fd, err;

	ASSERT_EQ(0, uname(&u));
	snprintf(path, sizeof(path), "/lib/modules/%s/updates/%s.ko",
		 u.release, MODULE_NAME);
	f = fopen(path, "rb");
	ASSERT_NE(NULL, f) TH_LOG("%s", path);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	image = malloc(size);
	ASSERT_NE(NULL, image);
	ASSERT_EQ(1, fread(image, size, 1, f));
	fclose(f);

	/* The first known answer's bytes, found exactly once in the image. */
	hit = memmem(image, size, esprim_kat_sealed_a128, 16);
	ASSERT_NE(NULL, hit);
	ASSERT_EQ(NULL, memmem(hit + 1, size - (hit + 1 - image),
			       esprim_kat_sealed_a128, 16));
	hit[3] ^= 0x10;
	f = fopen(tmp, "wb");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fwrite(image, size, 1, f));
	fclose(f);
	free(image);

	err = unload();
	ASSERT_TRUE(err == 0 || err == -ENOENT) TH_LOG("%d", err);
	fd = open(tmp, O_RDONLY);
	ASSERT_LE(0, fd);
	err = syscall(SYS_finit_module, fd, "", 0) ? errno : 0;
	close(fd);
	unlink(tmp);
	EXPECT_EQ(EBADMSG, err);
	EXPECT_FALSE(module_loaded());

	/* The good module is still there to load and use. */
	ASSERT_EQ(0, load());
	ASSERT_EQ(0, open_tfm(&h));
	EXPECT_EQ(0, roundtrip(h));
	kcapi_aead_destroy(h);
}

/* Moves the calling thread to @cpu (best effort). */
static void on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Revoking keys hands their payloads to RCU callbacks in the module:
 * unloading right after a burst of revocations must wait for them
 * (booted with rcu_nocbs=all, the callbacks run late, in kthreads).
 */
TEST(unload_right_after_revoke_burst)
{
	enum { PAIRWISE = 50, SESSIONS = 3 };	/* 200 keys a round */
	struct onem2m_esprim_pairwise_payload p = {
		.hdr = { .version = ONEM2M_ESPRIM_PAYLOAD_V1,
			 .kind = ONEM2M_ESPRIM_PAYLOAD_PAIRWISE },
		.key_len = 16, .peer_len = 4, .peer = "CAE1",
	};
	struct onem2m_esprim_key_ref ref = {
		.hdr = { .version = ONEM2M_ESPRIM_KEY_BLOB_V1,
			 .form = ONEM2M_ESPRIM_KEY_FORM_REF },
	};
	key_serial_t keys[PAIRWISE * (SESSIONS + 1)];
	uint8_t buf[512] = { 0 }, sealed[2 + ONEM2M_ESPRIM_TRAILER_LEN];
	struct onem2m_esprim_session_payload *sp = (void *)buf;
	int ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct kcapi_handle *h;
	int round, i, j, n;
	char desc[64];

	sp->hdr.version = ONEM2M_ESPRIM_PAYLOAD_V1;
	sp->hdr.kind = ONEM2M_ESPRIM_PAYLOAD_SESSION;
	sp->enc = ONEM2M_ESPRIM_ENC_A128GCM;
	sp->rro_len = 2;
	sp->oro_len = 2;
	memcpy(sp->rand_objects, "{}{}", 4);

	for (round = 0; round < 5; round++) {
		if (!module_loaded())
			ASSERT_EQ(0, load());
		ASSERT_LT(0, keyctl_join_session_keyring(NULL));
		n = 0;
		for (i = 0; i < PAIRWISE; i++) {
			p.key[0] = i;
			p.key[1] = round;
			snprintf(desc, sizeof(desc), "pairwise:b%d", i);
			keys[n] = add_key("esprim", desc, &p, sizeof(p),
					  KEY_SPEC_SESSION_KEYRING);
			ASSERT_LT(0, keys[n]) TH_LOG("round %d: %s", round,
						     strerror(errno));
			sp->pairwise = keys[n++];
			for (j = 0; j < SESSIONS; j++) {
				sp->role = j & 1;
				snprintf(desc, sizeof(desc),
					 "session:b%d:o:r%d", i, j);
				keys[n] = add_key("esprim", desc, buf,
						  sizeof(*sp) + 4,
						  KEY_SPEC_SESSION_KEYRING);
				ASSERT_LT(0, keys[n]) TH_LOG("round %d: %s",
							     round,
							     strerror(errno));
				n++;
			}
		}
		/* One of them used by a tfm, closed before the burst. */
		ref.serial = keys[1];
		ASSERT_EQ(0, esprim_afalg_open(&h, ONEM2M_ESPRIM_AEAD_ALG, &ref,
					       sizeof(ref),
					       ONEM2M_ESPRIM_TRAILER_LEN));
		ASSERT_EQ((ssize_t)sizeof(sealed),
			  esprim_afalg_crypt(h, true, NULL, 1,
					     (const uint8_t *)"ab", 2, sealed,
					     sizeof(sealed)));
		kcapi_aead_destroy(h);

		/* Callbacks queued on every CPU, unloading from the first. */
		for (i = 0; i < n; i++) {
			on_cpu(i % ncpus);
			ASSERT_EQ(0, keyctl_revoke(keys[i])) TH_LOG("key %d", i);
		}
		on_cpu(0);
		ASSERT_EQ(0, unload()) TH_LOG("round %d", round);
		EXPECT_FALSE(module_loaded());
		ASSERT_EQ(0, load()) TH_LOG("round %d", round);
	}
}

TEST_HARNESS_MAIN
