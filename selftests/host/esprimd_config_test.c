// SPDX-License-Identifier: GPL-2.0
/*
 * esprimd's configuration loader (user/daemon/config.c): a full
 * configuration read field by field, the defaults, conf.d/ in strcmp()
 * order overriding the main file, every class of error with the exact
 * FILE:LINE of its message, configuration files and conf.d/ refused for
 * their mode and owner, [cse] identities that do not name the gateway,
 * key files refused for their permissions, type, owner and contents, and
 * esprimd_config_read_key() round trips.
 * Each test writes its files into a directory of its own (mkdtemp).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "config.h"

/* 32 octets, mixed case, and the octets they stand for. */
#define KEY1_HEX "000102030405060708090a0b0c0d0e0f" \
		 "F0E1D2C3B4A5968778695A4B3C2D1E0F"
static const uint8_t key1[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
	0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f,
};
/* 16 octets, the shortest key. */
#define KEY2_HEX "deadbeefdeadbeefdeadbeefdeadbeef"

#define X10	"xxxxxxxxxx"
#define X100	X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define X1000	X100 X100 X100 X100 X100 X100 X100 X100 X100 X100

/* Lines 1 and 2 of most configurations below. */
#define DAEMON	"[daemon]\nidentity = //sp1.example/CSE-gw1\n"
/* Six lines: [daemon], and [escertke] with its required keys. */
#define ESCERTKE_OK DAEMON "[escertke]\ncertificate = @D@/gw1.pem\n" \
		"private_key = @D@/k1.key\ntrust_anchors = @D@/ca.pem\n"
/* Four lines: a peer's required keys. */
#define PEER_OK	"identity = //sp2.example/CSE-gw2\nkid = kid2\nkey = 13\n" \
		"key_file = @D@/k1.key\n"

/*
 * Writes dir/name afresh (conf.d/ made, mode 0755, when named) with
 * "@D@" replaced by dir, then sets mode.  0 or -1.
 */
static int put(const char *dir, const char *name, const char *text,
	       mode_t mode)
{
	char path[512];
	const char *at;
	FILE *f;
	int ok;

	if (!strncmp(name, "conf.d/", 7)) {
		snprintf(path, sizeof(path), "%s/conf.d", dir);
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		/* Whatever the umask: a group-writable conf.d is refused. */
		if (chmod(path, 0755))
			return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* A new file: the old one may be read-only (not to root). */
	unlink(path);
	f = fopen(path, "w");
	if (!f)
		return -1;
	while ((at = strstr(text, "@D@"))) {
		fwrite(text, 1, (size_t)(at - text), f);
		fputs(dir, f);
		text = at + 3;
	}
	fputs(text, f);
	ok = !ferror(f);
	if (fclose(f) || !ok)
		return -1;
	return chmod(path, mode);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

FIXTURE(cfg) {
	char dir[64];
	char path[128];
	char err[1024];
	struct esprimd_config *c;
};

FIXTURE_SETUP(cfg)
{
	strcpy(self->dir, "/tmp/esprimd_config_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/esprimd.conf", self->dir);
	ASSERT_EQ(0, put(self->dir, "k1.key", KEY1_HEX "\n", 0600));
	ASSERT_EQ(0, put(self->dir, "k2.key", KEY2_HEX, 0400));
	/* Not PEM: the files' contents are the engine's to check. */
	ASSERT_EQ(0, put(self->dir, "gw1.pem", "certificate\n", 0644));
	ASSERT_EQ(0, put(self->dir, "ca.pem", "anchors\n", 0644));
	snprintf(self->err, sizeof(self->err), "%s/link.key", self->dir);
	ASSERT_EQ(0, symlink("k1.key", self->err));
	self->c = NULL;
	self->err[0] = '\0';
}

FIXTURE_TEARDOWN(cfg)
{
	esprimd_config_free(self->c);
	nftw(self->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static const char full_conf[] =
	"# every key\n"
	"[daemon]\n"
	"identity = //sp1.example/CSE-gw1\n"
	"backend = soft\n"
	"socket = @D@/esprimd.sock\n"
	"admin_group = root\n"
	"listen = 127.0.0.1:8080\n"
	"listen = [::1]:8081\n"
	"listen = *:0\n"
	"\n"
	"[rand]\n"
	"shared_lifetime = 7200\n"
	"rotate_margin = 600\n"
	"per_request = no\n"
	"originator_lifetime = 900\n"
	"\n"
	"[limits]\n"
	"max_sessions = 100\n"
	"soft_invocations = 1000\n"
	"hard_invocations = 4294967296\n"
	"rekey_margin = 30\n"
	"request_timeout = 2500\n"
	"\n"
	"; a provisioned key\n"
	"[peer gw2]\n"				/* line 25 */
	"identity = //sp2.example/CSE-gw2\n"
	"kid = 13-gw2.example\n"
	"address = http://gw2.example:8080/esprim\n"
	"esi = http://in.sp1.example:8080/~/in-cse/gw2?atrl=esi\n"
	"key = 13\n"
	"key_file = @D@/k1.key\n"
	"enc = A128GCM\n"
	"replay = strict\n"
	"\n"
	"[peer ae3]\n"				/* line 35 */
	"identity = //sp3.example/CSE-x/Cae3\n"
	"kid = k3\n"
	"address = https://[2001:db8::3]/\n"
	"key = rspf\n"
	"key_file = @D@/k2.key\n"
	"rspf_target = gw3.sp3.example\n"
	"enc = A192GCM\n"
	"replay = off\n"
	"\n"
	"[cse local]\n"				/* line 45 */
	"user = root\n"
	"identity = //sp1.example/CSE-gw1\n"
	"identity = /CSE-gw1\n"
	"kernel_keys = yes\n"
	"[cse other]\n"
	"user = 4321\n"
	"kernel_keys = no\n"
	"[cse third]\n"
	"user = 4322\n"
	"identity =  //sp1.example/CSE-gw1\t\n";

TEST_F(cfg, full)
{
	struct esprimd_config *c;
	const struct esprimd_peer *p;
	const struct esprimd_cse *s;
	char sock[128];

	ASSERT_EQ(0, put(self->dir, "esprimd.conf", full_conf, 0644));
	ASSERT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)))
		TH_LOG("%s", self->err);
	c = self->c;
	EXPECT_STREQ("//sp1.example/CSE-gw1", c->identity);
	EXPECT_EQ(ESPRIMD_BACKEND_SOFT, c->backend);
	snprintf(sock, sizeof(sock), "%s/esprimd.sock", self->dir);
	EXPECT_STREQ(sock, c->socket_path);
	EXPECT_EQ(0, c->admin_gid);
	ASSERT_EQ(3, c->n_listen);
	EXPECT_STREQ("127.0.0.1:8080", c->listen[0]);
	EXPECT_STREQ("[::1]:8081", c->listen[1]);
	EXPECT_STREQ("*:0", c->listen[2]);
	EXPECT_EQ(7200, c->shared_rand_lifetime_s);
	EXPECT_EQ(600, c->rand_rotate_margin_s);
	EXPECT_FALSE(c->per_request_rand);
	EXPECT_EQ(900, c->originator_lifetime_s);
	EXPECT_EQ(100, c->max_sessions);
	EXPECT_EQ(1000, c->soft_invocations);
	EXPECT_EQ(1ULL << 32, c->hard_invocations);
	EXPECT_EQ(30, c->rekey_margin_s);
	EXPECT_EQ(2500, c->request_timeout_ms);

	ASSERT_EQ(2, c->n_peers);
	p = &c->peers[0];
	EXPECT_STREQ("gw2", p->name);
	EXPECT_STREQ("//sp2.example/CSE-gw2", p->identity);
	EXPECT_STREQ("13-gw2.example", p->kid);
	EXPECT_STREQ("http://gw2.example:8080/esprim", p->address);
	EXPECT_STREQ("http://in.sp1.example:8080/~/in-cse/gw2?atrl=esi",
		     p->esi);
	EXPECT_EQ(ESPRIMD_KEY_PROVISIONED, p->source);
	EXPECT_EQ(0, strncmp(p->key_file, self->dir, strlen(self->dir)));
	EXPECT_STREQ("/k1.key", p->key_file + strlen(self->dir));
	EXPECT_EQ(NULL, p->rspf_target);
	EXPECT_EQ(ONEM2M_ESPRIM_ENC_A128GCM, p->enc);
	EXPECT_EQ(ONEM2M_ESPRIM_REPLAY_STRICT, p->replay);
	EXPECT_STREQ(self->path, p->file);
	EXPECT_EQ(25, p->line);

	p = &c->peers[1];
	EXPECT_STREQ("ae3", p->name);
	EXPECT_STREQ("//sp3.example/CSE-x/Cae3", p->identity);
	EXPECT_STREQ("k3", p->kid);
	EXPECT_STREQ("https://[2001:db8::3]/", p->address);
	EXPECT_EQ(ESPRIMD_KEY_RSPF, p->source);
	EXPECT_STREQ("/k2.key", p->key_file + strlen(self->dir));
	EXPECT_STREQ("gw3.sp3.example", p->rspf_target);
	EXPECT_EQ(ONEM2M_ESPRIM_ENC_A192GCM, p->enc);
	EXPECT_EQ(ONEM2M_ESPRIM_REPLAY_OFF, p->replay);
	EXPECT_EQ(35, p->line);

	ASSERT_EQ(3, c->n_cses);
	s = &c->cses[0];
	EXPECT_STREQ("local", s->name);
	EXPECT_EQ(0, s->uid);
	ASSERT_EQ(2, s->n_identities);
	EXPECT_STREQ("//sp1.example/CSE-gw1", s->identities[0]);
	EXPECT_STREQ("/CSE-gw1", s->identities[1]);	/* SP-relative */
	EXPECT_TRUE(s->kernel_keys);
	EXPECT_STREQ(self->path, s->file);
	EXPECT_EQ(45, s->line);
	/* No identity: the gateway's. */
	s = &c->cses[1];
	EXPECT_STREQ("other", s->name);
	EXPECT_EQ(4321, s->uid);
	ASSERT_EQ(1, s->n_identities);
	EXPECT_STREQ("//sp1.example/CSE-gw1", s->identities[0]);
	EXPECT_FALSE(s->kernel_keys);
	EXPECT_EQ(50, s->line);
	/* The gateway's identity again, in another CSE; kernel_keys no. */
	s = &c->cses[2];
	EXPECT_STREQ("third", s->name);
	ASSERT_EQ(1, s->n_identities);
	EXPECT_STREQ("//sp1.example/CSE-gw1", s->identities[0]);
	EXPECT_FALSE(s->kernel_keys);

	/* The lookups. */
	EXPECT_EQ(&c->peers[1],
		  esprimd_config_peer_by_identity(c, "//sp3.example/CSE-x/Cae3"));
	EXPECT_EQ(NULL, esprimd_config_peer_by_identity(c, "//sp3.example/CSE-x"));
	EXPECT_EQ(&c->peers[0], esprimd_config_peer_by_kid(c, "13-gw2.example"));
	EXPECT_EQ(NULL, esprimd_config_peer_by_kid(c, "gw2"));
	EXPECT_EQ(&c->peers[1], esprimd_config_peer_by_name(c, "ae3"));
	EXPECT_EQ(NULL, esprimd_config_peer_by_name(c, "k3"));
	EXPECT_EQ(&c->cses[1], esprimd_config_cse_by_uid(c, 4321));
	EXPECT_EQ(&c->cses[0], esprimd_config_cse_by_uid(c, 0));
	EXPECT_EQ(&c->cses[2], esprimd_config_cse_by_uid(c, 4322));
	EXPECT_EQ(NULL, esprimd_config_cse_by_uid(c, 4323));
	EXPECT_EQ(NULL, esprimd_config_peer_by_kid(NULL, "k3"));
	EXPECT_EQ(NULL, esprimd_config_cse_by_uid(NULL, 0));
}

TEST_F(cfg, defaults)
{
	struct esprimd_config *c;
	const struct esprimd_peer *p;

	ASSERT_EQ(0, put(self->dir, "esprimd.conf",
			 "[daemon]\nidentity = //sp/CSE\n[peer a]\n" PEER_OK,
			 0644));
	ASSERT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)))
		TH_LOG("%s", self->err);
	c = self->c;
	EXPECT_STREQ("//sp/CSE", c->identity);
	EXPECT_EQ(ESPRIMD_BACKEND_AUTO, c->backend);
	EXPECT_STREQ(ESPRIMD_SOCKET_PATH, c->socket_path);
	EXPECT_EQ((gid_t)-1, c->admin_gid);
	EXPECT_EQ(0, c->n_listen);
	EXPECT_EQ(3600, c->shared_rand_lifetime_s);
	EXPECT_EQ(300, c->rand_rotate_margin_s);
	EXPECT_TRUE(c->per_request_rand);
	EXPECT_EQ(600, c->originator_lifetime_s);
	EXPECT_EQ(4096, c->max_sessions);
	EXPECT_EQ(1ULL << 20, c->soft_invocations);
	EXPECT_EQ(1ULL << 24, c->hard_invocations);
	EXPECT_EQ(60, c->rekey_margin_s);
	EXPECT_EQ(5000, c->request_timeout_ms);
	EXPECT_EQ(0, c->n_cses);
	ASSERT_EQ(1, c->n_peers);
	p = &c->peers[0];
	EXPECT_EQ(NULL, p->address);
	EXPECT_EQ(NULL, p->rspf_target);
	EXPECT_EQ(ONEM2M_ESPRIM_ENC_A256GCM, p->enc);
	EXPECT_EQ(ONEM2M_ESPRIM_REPLAY_AUTO, p->replay);
	EXPECT_EQ(3, p->line);
	/* Numbers as gids and admin_group by number. */
	esprimd_config_free(self->c);
	self->c = NULL;
	ASSERT_EQ(0, put(self->dir, "esprimd.conf",
			 DAEMON "admin_group = 4242\n", 0644));
	ASSERT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)))
		TH_LOG("%s", self->err);
	EXPECT_EQ(4242, self->c->admin_gid);
	esprimd_config_free(NULL);
}

/*
 * user/daemon/esprimd.conf, the example, loads once its key files, user
 * and group exist: here, with those replaced.
 */
TEST_F(cfg, example)
{
	static const char *const from[] = {
		"/etc/onem2m-esprim/keys/", "esprim-admin", "onem2m-cse",
	};
	const char *to[] = { NULL, "root", "root" };
	char *text, *out, dir[80];
	struct esprimd_config *c;
	size_t len = 0, n, i;
	const char *at;
	FILE *f;

	f = fopen(EXAMPLE_CONF, "r");
	ASSERT_NE(NULL, f);
	text = calloc(1, 65536);
	out = calloc(1, 70000);
	ASSERT_NE(NULL, text);
	ASSERT_NE(NULL, out);
	len = fread(text, 1, 65535, f);
	fclose(f);
	ASSERT_LT(100, len);
	snprintf(dir, sizeof(dir), "%s/", self->dir);
	to[0] = dir;
	for (at = text; *at; ) {
		for (i = 0; i < 3; i++) {
			n = strlen(from[i]);
			if (!strncmp(at, from[i], n)) {
				strcat(out, to[i]);
				at += n;
				break;
			}
		}
		if (i == 3)
			strncat(out, at++, 1);
	}
	ASSERT_EQ(0, put(self->dir, "esprimd.conf", out, 0644));
	free(text);
	free(out);
	ASSERT_EQ(0, put(self->dir, "gw2.key", KEY1_HEX "\n", 0600));
	ASSERT_EQ(0, put(self->dir, "ae3-ke.key", KEY2_HEX "\n", 0600));
	ASSERT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)))
		TH_LOG("%s", self->err);
	c = self->c;
	EXPECT_STREQ("//sp1.example.net/CSE-gw1", c->identity);
	EXPECT_EQ(0, c->admin_gid);
	EXPECT_EQ(2, c->n_listen);
	ASSERT_EQ(2, c->n_peers);
	EXPECT_EQ(ESPRIMD_KEY_PROVISIONED, c->peers[0].source);
	EXPECT_EQ(ESPRIMD_KEY_RSPF, c->peers[1].source);
	/* Its [cse] has neither identity nor kernel_keys: the defaults. */
	ASSERT_EQ(1, c->n_cses);
	ASSERT_EQ(1, c->cses[0].n_identities);
	EXPECT_STREQ(c->identity, c->cses[0].identities[0]);
	EXPECT_FALSE(c->cses[0].kernel_keys);
}

/* The largest and smallest values accepted. */
TEST_F(cfg, boundaries)
{
	struct esprimd_config *c;

	ASSERT_EQ(0, put(self->dir, "esprimd.conf",
			 "[daemon]\n"
			 "identity = //sp.example/" X100 X100 X10 X10 X10 X10 "xx\n"
			 "listen = 0.0.0.0:65535\n"
			 "[rand]\n"
			 "shared_lifetime = 31536000\n"
			 "rotate_margin = 31535999\n"
			 "originator_lifetime = 60\n"
			 "[limits]\n"
			 "rekey_margin = 0\n"
			 "soft_invocations = 4294967295\n"
			 "hard_invocations = 4294967296\n"
			 "max_sessions = 1048576\n"
			 "request_timeout = 600000\n"
			 "[peer " X10 X10 X10 X10 X10 X10 "xxxx]\n"
			 "identity = //sp2.example/CSE-gw2/" X100 X100 "\n"
			 "kid = " X100 X10 X10 "xxxxxxxx\n"
			 "key = 23\n"
			 "key_file = @D@/k2.key\n"
			 "rspf_target = " X10 X10 X10 X10 X10 X10 "xxx.example\n",
			 0644));
	ASSERT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)))
		TH_LOG("%s", self->err);
	c = self->c;
	EXPECT_EQ(255, strlen(c->identity));
	EXPECT_EQ(31536000, c->shared_rand_lifetime_s);
	EXPECT_EQ(31535999, c->rand_rotate_margin_s);
	EXPECT_EQ(60, c->originator_lifetime_s);
	EXPECT_EQ(0, c->rekey_margin_s);
	EXPECT_EQ(4294967295ULL, c->soft_invocations);
	EXPECT_EQ(4294967296ULL, c->hard_invocations);
	EXPECT_EQ(1048576, c->max_sessions);
	EXPECT_EQ(600000, c->request_timeout_ms);
	ASSERT_EQ(1, c->n_peers);
	EXPECT_EQ(64, strlen(c->peers[0].name));
	EXPECT_EQ(128, strlen(c->peers[0].kid));
	EXPECT_EQ(71, strlen(c->peers[0].rspf_target));
}

/*
 * conf.d/ *.conf in strcmp() order ("10-a" < "20-b" < "9-z"), later
 * values winning, the first listen of a file replacing earlier ones;
 * other names ignored.
 */
TEST_F(cfg, confd_order)
{
	struct esprimd_config *c;
	char file[256];

	ASSERT_EQ(0, put(self->dir, "esprimd.conf",
			 DAEMON "listen = 127.0.0.1:1\nlisten = 127.0.0.1:2\n"
			 "[rand]\nshared_lifetime = 1000\n", 0644));
	ASSERT_EQ(0, put(self->dir, "conf.d/10-a.conf",
			 "[rand]\nshared_lifetime = 2000\n"
			 "[daemon]\nlisten = 127.0.0.1:3\n"
			 "[peer p1]\n" PEER_OK, 0644));
	ASSERT_EQ(0, put(self->dir, "conf.d/20-b.conf",
			 "[rand]\nshared_lifetime = 3000\n"
			 "originator_lifetime = 700\n"
			 "[daemon]\nidentity = //sp1.example/CSE-gw9\n", 0644));
	ASSERT_EQ(0, put(self->dir, "conf.d/9-z.conf",
			 "[rand]\nshared_lifetime = 4000\n", 0644));
	ASSERT_EQ(0, put(self->dir, "conf.d/README", "not ini\n", 0644));
	ASSERT_EQ(0, put(self->dir, "conf.d/x.conf.off", "not ini\n", 0644));
	ASSERT_EQ(0, put(self->dir, "conf.d/.hidden.conf", "not ini\n", 0644));
	ASSERT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)))
		TH_LOG("%s", self->err);
	c = self->c;
	EXPECT_EQ(4000, c->shared_rand_lifetime_s);
	EXPECT_EQ(700, c->originator_lifetime_s);
	EXPECT_STREQ("//sp1.example/CSE-gw9", c->identity);
	ASSERT_EQ(1, c->n_listen);
	EXPECT_STREQ("127.0.0.1:3", c->listen[0]);
	ASSERT_EQ(1, c->n_peers);
	snprintf(file, sizeof(file), "%s/conf.d/10-a.conf", self->dir);
	EXPECT_STREQ(file, c->peers[0].file);
	EXPECT_EQ(5, c->peers[0].line);

	/* A file that lowers shared_lifetime below the margin is refused. */
	esprimd_config_free(self->c);
	self->c = NULL;
	ASSERT_EQ(0, put(self->dir, "conf.d/99-last.conf",
			 "\n[rand]\nshared_lifetime = 300\n", 0644));
	EXPECT_EQ(-1, esprimd_config_load(self->path, &self->c, self->err,
					  sizeof(self->err)));
	EXPECT_EQ(NULL, self->c);
	snprintf(file, sizeof(file),
		 "%s/conf.d/99-last.conf:3: rotate_margin (300) must be less than shared_lifetime (300)",
		 self->dir);
	EXPECT_STREQ(file, self->err);
}

TEST_F(cfg, confd_not_a_directory)
{
	char want[256];

	ASSERT_EQ(0, put(self->dir, "esprimd.conf", DAEMON, 0644));
	ASSERT_EQ(0, put(self->dir, "conf.d", "", 0644));
	EXPECT_EQ(-1, esprimd_config_load(self->path, &self->c, self->err,
					  sizeof(self->err)));
	snprintf(want, sizeof(want), "%s/conf.d: %s", self->dir,
		 strerror(ENOTDIR));
	EXPECT_STREQ(want, self->err);
}

TEST_F(cfg, main_file_missing)
{
	char want[256];

	EXPECT_EQ(-1, esprimd_config_load(self->path, &self->c, self->err,
					  sizeof(self->err)));
	EXPECT_EQ(NULL, self->c);
	snprintf(want, sizeof(want), "%s: %s", self->path, strerror(ENOENT));
	EXPECT_STREQ(want, self->err);
}

/*
 * A configuration that must be refused: in esprimd.conf, or in
 * conf.d/50-x.conf when confd is set; at line (0: no line), the message
 * containing reason.
 */
static const struct bad_case {
	const char *name;
	const char *conf;
	const char *confd;
	unsigned int line;
	const char *reason;
} bad_cases[] = {
	/* syntax and sections */
	{ "unknown section", DAEMON "[bogus]\n", NULL, 3,
	  "unknown section [bogus]" },
	{ "section name case", "[Daemon]\n", NULL, 1,
	  "unknown section [Daemon]" },
	{ "unknown key", DAEMON "colour = blue\n", NULL, 3,
	  "unknown key colour in [daemon]" },
	{ "key outside a section", "\nidentity = //sp1.example/CSE-gw1\n",
	  NULL, 2, "identity: a key outside any section" },
	{ "no equals sign", DAEMON "\njust words\n", NULL, 4,
	  "neither \"key = value\", a [section] nor a comment" },
	{ "unclosed header", DAEMON "[rand\n", NULL, 3,
	  "a section header without ']'" },
	{ "text after header", "[daemon] x\n", NULL, 1,
	  "text after the section header" },
	{ "byte order mark", "\xef\xbb\xbf[daemon]\n", NULL, 1, "neither" },
	{ "continuation line", DAEMON "listen = *:80\n  *:81\n", NULL, 4,
	  "unknown key * in [daemon]" },
	{ "inline comment", DAEMON "backend = soft ; fast\n", NULL, 3,
	  "backend = soft ; fast: auto, kernel or soft expected" },
	{ "line too long", DAEMON "# " X1000 X1000 X1000 X1000 X100 "\n",
	  NULL, 3, "a line longer than 4094 characters" },
	{ "key given twice", DAEMON "backend = soft\nbackend = kernel\n",
	  NULL, 4, "backend is given twice" },
	/* [daemon] */
	{ "identity empty", "[daemon]\nidentity =\n", NULL, 2,
	  "identity = : empty" },
	{ "identity relative", "[daemon]\nidentity = /sp1/CSE\n", NULL, 2,
	  "not Absolute" },
	{ "identity an AE-ID", "[daemon]\nidentity = //sp1.example/CSE/Cae\n",
	  NULL, 2, "an Absolute CSE-ID \"//SP-ID/CSE-ID\" is needed here" },
	{ "identity SP-ID", "[daemon]\nidentity = //sp_1/CSE\n", NULL, 2,
	  "the SP-ID is no domain name" },
	{ "identity no CSE-ID", "[daemon]\nidentity = //sp1.example/\n",
	  NULL, 2, "no CSE-ID" },
	{ "identity space", "[daemon]\nidentity = //sp1.example/CSE gw\n",
	  NULL, 2, "printable ASCII without spaces" },
	{ "identity 256 characters",
	  "[daemon]\nidentity = //sp.example/" X100 X100 X10 X10 X10 X10
	  "xxx\n", NULL, 2, "longer than 255 characters" },
	{ "identity missing", "[rand]\nshared_lifetime = 600\n", NULL, 0,
	  "[daemon] identity is required" },
	{ "backend", DAEMON "backend = fast\n", NULL, 3,
	  "backend = fast: auto, kernel or soft expected" },
	{ "socket relative", DAEMON "socket = run/x.sock\n", NULL, 3,
	  "an absolute path" },
	{ "socket too long", DAEMON "socket = /" X100 X10 "\n", NULL, 3,
	  "at most 107 printable characters" },
	{ "admin_group unknown", DAEMON "admin_group = no-such-group-esprimd\n",
	  NULL, 3, "admin_group = no-such-group-esprimd: no such group" },
	{ "admin_group -1", DAEMON "admin_group = 4294967295\n", NULL, 3,
	  "out of range (0 to 4294967294)" },
	{ "listen host name", DAEMON "listen = localhost:80\n", NULL, 3,
	  "the host must be a literal IPv4 address, [IPv6] or *" },
	{ "listen IPv6 without brackets", DAEMON "listen = ::1:80\n", NULL, 3,
	  "the host must be a literal IPv4 address" },
	{ "listen port", DAEMON "listen = 127.0.0.1:65536\n", NULL, 3,
	  "the port is a number from 0 to 65535" },
	{ "listen no port", DAEMON "listen = [::1]\n", NULL, 3,
	  "listen = [::1]: " },
	{ "listen twice", DAEMON "listen = *:80\nlisten = *:80\n", NULL, 4,
	  "listen = *:80: given twice" },
	/* [rand] */
	{ "lifetime too short", DAEMON "[rand]\nshared_lifetime = 59\n", NULL,
	  4, "shared_lifetime = 59: out of range (60 to 31536000)" },
	{ "lifetime too long", DAEMON "[rand]\noriginator_lifetime = 31536001\n",
	  NULL, 4, "out of range (60 to 31536000)" },
	{ "unit suffix", DAEMON "[rand]\nshared_lifetime = 60s\n", NULL, 4,
	  "shared_lifetime = 60s: not a decimal number" },
	{ "rotate_margin too big", DAEMON "[rand]\nrotate_margin = 3600\n",
	  NULL, 4,
	  "rotate_margin (3600) must be less than shared_lifetime (3600)" },
	{ "shared_lifetime too small for the margin",
	  DAEMON "[rand]\nshared_lifetime = 300\n\n", NULL, 4,
	  "rotate_margin (300) must be less than shared_lifetime (300)" },
	{ "per_request", DAEMON "[rand]\nper_request = maybe\n", NULL, 4,
	  "per_request = maybe: yes or no expected" },
	/* [limits] */
	{ "outbound not loopback", DAEMON "[sidecar]\ncse = http://127.0.0.1:8080\n"
	  "outbound = *:9090\n", NULL, 5,
	  "outbound = *:9090: a loopback address (127.x.x.x or [::1]) expected" },
	{ "outbound without cse", DAEMON "[sidecar]\noutbound = 127.0.0.1:9090\n",
	  NULL, 0, "[sidecar] outbound needs [sidecar] cse" },
	{ "protect", DAEMON "[peer a]\n" PEER_OK "protect = maybe\n", NULL, 8,
	  "protect = maybe: require, prefer or never expected" },
	{ "publish", DAEMON "[rand]\npublish = ftp://in.example/x\n", NULL, 4,
	  "publish = ftp://in.example/x" },
	{ "negative", DAEMON "[limits]\nmax_sessions = -1\n", NULL, 4,
	  "not a decimal number" },
	{ "max_sessions 0", DAEMON "[limits]\nmax_sessions = 0\n", NULL, 4,
	  "out of range (1 to 1048576)" },
	{ "overflow", DAEMON "[limits]\nsoft_invocations = 99999999999999999999\n",
	  NULL, 4, "out of range (1 to 4294967295)" },
	{ "hard_invocations over 2^32",
	  DAEMON "[limits]\nhard_invocations = 4294967297\n", NULL, 4,
	  "out of range (2 to 4294967296)" },
	{ "soft not below hard", DAEMON "[limits]\nhard_invocations = 1048576\n",
	  NULL, 4,
	  "soft_invocations (1048576) must be less than hard_invocations (1048576)" },
	{ "rekey_margin not below originator_lifetime",
	  DAEMON "[limits]\nrekey_margin = 600\n", NULL, 4,
	  "rekey_margin (600) must be less than originator_lifetime (600)" },
	{ "request_timeout", DAEMON "[limits]\nrequest_timeout = 99\n", NULL, 4,
	  "out of range (100 to 600000)" },
	/* [peer NAME] */
	{ "peer without NAME", DAEMON "[peer]\n", NULL, 3,
	  "[peer] without a NAME" },
	{ "peer NAME with a space", DAEMON "[peer a b]\n", NULL, 3,
	  "[peer a b]: a NAME of 1 to 64 letters" },
	{ "peer NAME of 65", DAEMON "[peer " X10 X10 X10 X10 X10 X10 "xxxxx]\n",
	  NULL, 3, "a NAME of 1 to 64" },
	{ "empty peer", DAEMON "[peer a]\n", NULL, 3,
	  "[peer a] has no identity" },
	{ "peer without kid",
	  DAEMON "\n[peer a]\nidentity = //sp2.example/CSE-gw2\nkey = 13\n"
	  "key_file = @D@/k1.key\n", NULL, 4, "[peer a] has no kid" },
	{ "peer without key_file",
	  DAEMON "[peer a]\nidentity = //sp2.example/CSE-gw2\nkid = k\n"
	  "key = 13\n", NULL, 3, "[peer a] has no key_file" },
	{ "enc", DAEMON "[peer a]\n" PEER_OK "enc = A512GCM\n", NULL, 8,
	  "enc = A512GCM: A128GCM, A192GCM or A256GCM expected" },
	{ "replay", DAEMON "[peer a]\n" PEER_OK "replay = sometimes\n", NULL, 8,
	  "replay = sometimes: auto, strict or off expected" },
	{ "key source", DAEMON "[peer a]\nkey = 14\n", NULL, 4,
	  "key = 14: 13 (provisioned), 23 (rspf) or 43 (certificate) expected" },
	{ "kid with a colon", DAEMON "[peer a]\nkid = 13:x\n", NULL, 4,
	  "kid = 13:x: 1 to 128 printable characters" },
	{ "kid of 129", DAEMON "[peer a]\nkid = " X100 X10 X10 "xxxxxxxxx\n",
	  NULL, 4, "1 to 128 printable characters" },
	{ "address ftp", DAEMON "[peer a]\n" PEER_OK
	  "address = ftp://gw2.example/\n", NULL, 8, "or https:// expected" },
	{ "address userinfo", DAEMON "[peer a]\n" PEER_OK
	  "address = http://u:pw@gw2.example/\n", NULL, 8,
	  "no user information" },
	{ "address query", DAEMON "[peer a]\n" PEER_OK
	  "address = http://gw2.example/x?y=1\n", NULL, 8,
	  "no query or fragment" },
	{ "address without scheme", DAEMON "[peer a]\n" PEER_OK
	  "address = gw2.example:8080\n", NULL, 8, "\"http://host[:port][/path]\"" },
	{ "address port 0", DAEMON "[peer a]\n" PEER_OK
	  "address = http://gw2.example:0/\n", NULL, 8, "the port must be 1 to 65535" },
	{ "address host", DAEMON "[peer a]\n" PEER_OK
	  "address = http://gw_2.example/\n", NULL, 8,
	  "the host must be a domain name or an IP address" },
	{ "esi fragment", DAEMON "[peer a]\n" PEER_OK
	  "esi = http://in.example/cse?atrl=esi#x\n", NULL, 8,
	  "esi = http://in.example/cse?atrl=esi#x: an empty query, or a fragment" },
	{ "esi userinfo", DAEMON "[peer a]\n" PEER_OK
	  "esi = http://u@in.example/cse?atrl=esi\n", NULL, 8,
	  "no user information" },
	{ "address space", DAEMON "[peer a]\n" PEER_OK
	  "address = http://gw2.example/a b\n", NULL, 8, "without spaces" },
	{ "rspf without target", DAEMON "[peer a]\n"
	  "identity = //sp2.example/CSE-gw2\nkid = kid2\nkey = 23\n"
	  "key_file = @D@/k1.key\n", NULL, 3,
	  "[peer a]: key = 23 needs rspf_target" },
	{ "target with key 13", DAEMON "[peer a]\n" PEER_OK
	  "rspf_target = gw.example\n", NULL, 3,
	  "[peer a]: rspf_target is for key = 23 only" },
	{ "target not an FQDN", DAEMON "[peer a]\nrspf_target = gw_1.example\n",
	  NULL, 4, "an FQDN expected" },
	{ "key_file relative", DAEMON "[peer a]\nkey_file = k1.key\n", NULL, 4,
	  "key_file = k1.key: an absolute path expected" },
	{ "key_file missing", DAEMON "[peer a]\nkey_file = @D@/none.key\n", NULL,
	  4, "/none.key: No such file or directory" },
	{ "peer again", DAEMON "[peer a]\n" PEER_OK "[peer a]\n", NULL, 8,
	  "[peer a] again (first at " },
	{ "peer identity again", DAEMON "[peer a]\n" PEER_OK
	  "[peer b]\nidentity = //sp2.example/CSE-gw2\n", NULL, 9,
	  "already the identity of [peer a]" },
	{ "kid again", DAEMON "[peer a]\n" PEER_OK
	  "[peer b]\nidentity = //sp3.example/CSE-gw3\nkid = kid2\n", NULL, 10,
	  "kid = kid2: already the kid of [peer a]" },
	{ "peer is this daemon", DAEMON "[peer a]\n"
	  "identity = //sp1.example/CSE-gw1\nkid = k\nkey = 13\n"
	  "key_file = @D@/k1.key\n", NULL, 3, "is this daemon's own" },
	/* [cse NAME] */
	{ "cse again", DAEMON "[cse a]\nuser = 1000\n"
	  "identity = //sp1.example/CSE-gw1\n[cse a]\n", NULL, 6,
	  "[cse a] again" },
	{ "cse uid again", DAEMON "[cse a]\nuser = 1000\n"
	  "identity = //sp1.example/CSE-gw1\n[cse b]\nuser = 1000\n", NULL, 7,
	  "uid 1000 is already [cse a]" },
	{ "cse without user", DAEMON "[cse a]\n"
	  "identity = //sp1.example/CSE-gw1\n", NULL, 3, "[cse a] has no user" },
	{ "cse unknown user", DAEMON "[cse a]\nuser = no-such-user-esprimd\n",
	  NULL, 4, "user = no-such-user-esprimd: no such user" },
	{ "cse identity twice", DAEMON "[cse a]\nuser = 1000\n"
	  "identity = //sp1.example/CSE-gw1 //sp1.example/CSE-gw1\n", NULL, 5,
	  "given twice" },
	{ "cse identity a peer's", DAEMON "[cse a]\nuser = 1000\n"
	  "identity = //sp2.example/CSE-gw2\n[peer p]\n" PEER_OK, NULL, 5,
	  "[cse a]: identity //sp2.example/CSE-gw2 does not name this gateway (//sp1.example/CSE-gw1), the only From its peers accept (TS-0003 7.2.2)" },
	/* Only the gateway's identity passes a peer's From check. */
	{ "cse an AE-ID of the gateway", DAEMON "[cse a]\nuser = 1\n"
	  "identity = //sp1.example/CSE-gw1 //sp1.example/CSE-gw1/Cae1\n", NULL,
	  5, "[cse a]: identity //sp1.example/CSE-gw1/Cae1 does not name this gateway (//sp1.example/CSE-gw1), the only From its peers accept (TS-0003 7.2.2)" },
	{ "cse another CSE-ID", DAEMON "[cse a]\nuser = 1\n"
	  "identity = //sp1.example/CSE-gw2\n", NULL, 5,
	  "identity //sp1.example/CSE-gw2 does not name this gateway" },
	{ "cse the CSE-ID in another SP", DAEMON "[cse a]\nuser = 1\n"
	  "identity = //sp9.example/CSE-gw1\n", NULL, 5,
	  "identity //sp9.example/CSE-gw1 does not name this gateway" },
	{ "cse SP-relative AE-ID", DAEMON "[cse a]\nuser = 1\n"
	  "identity = /CSE-gw1/Cae\n", NULL, 5,
	  "identity /CSE-gw1/Cae does not name this gateway" },
	{ "cse SP-relative other CSE", DAEMON "[cse a]\nuser = 1\n"
	  "identity = /CSE-gw2\n", NULL, 5,
	  "identity /CSE-gw2 does not name this gateway" },
	{ "cse CSE-relative", DAEMON "[cse a]\nuser = 1\n"
	  "identity = CSE-gw1\n", NULL, 5,
	  "identity CSE-gw1 does not name this gateway" },
	{ "cse trailing slash", DAEMON "[cse a]\nuser = 1\n"
	  "identity = //sp1.example/CSE-gw1/\n", NULL, 5,
	  "identity //sp1.example/CSE-gw1/ does not name this gateway" },
	{ "cse other case", DAEMON "[cse a]\nuser = 1\n"
	  "identity = //SP1.example/CSE-gw1\n", NULL, 5,
	  "identity //SP1.example/CSE-gw1 does not name this gateway" },
	{ "cse second identity line", DAEMON "[cse a]\nuser = 1\n"
	  "identity = /CSE-gw1\nidentity = //sp1.example/CSE-gw1/Cx\n", NULL, 6,
	  "[cse a]: identity //sp1.example/CSE-gw1/Cx does not name" },
	{ "cse identity in conf.d", DAEMON, "[cse b]\nuser = 7\n\n"
	  "identity = //sp1.example/CSE-gw1/Cb\n", 4,
	  "[cse b]: identity //sp1.example/CSE-gw1/Cb does not name" },
	{ "cse identity empty", DAEMON "[cse a]\nuser = 1\nidentity =\n", NULL,
	  5, "identity: empty; without identity the CSE has this gateway's" },
	{ "cse identity not printable", DAEMON "[cse a]\nuser = 1\n"
	  "identity = /CSE-gw1\x7f\n", NULL, 5,
	  "identity /CSE-gw1?: printable ASCII without spaces" },
	{ "cse identity 256 characters", DAEMON "[cse a]\nuser = 1\n"
	  "identity = /" X100 X100 X10 X10 X10 X10 X10 "xxxxx\n", NULL, 5,
	  "longer than 255 characters" },
	/* kernel_keys */
	{ "kernel_keys maybe", DAEMON "[cse a]\nuser = 1\nkernel_keys = maybe\n",
	  NULL, 5, "kernel_keys = maybe: yes or no expected" },
	{ "kernel_keys Yes", DAEMON "[cse a]\nuser = 1\nkernel_keys = Yes\n",
	  NULL, 5, "kernel_keys = Yes: yes or no expected" },
	{ "kernel_keys 1", DAEMON "[cse a]\nuser = 1\nkernel_keys = 1\n",
	  NULL, 5, "kernel_keys = 1: yes or no expected" },
	{ "kernel_keys empty", DAEMON "[cse a]\nuser = 1\nkernel_keys =\n",
	  NULL, 5, "kernel_keys = : yes or no expected" },
	{ "kernel_keys twice", DAEMON "[cse a]\nuser = 1\nkernel_keys = no\n"
	  "kernel_keys = yes\n", NULL, 6, "kernel_keys is given twice" },
	{ "kernel_keys in [daemon]", DAEMON "kernel_keys = yes\n", NULL, 3,
	  "unknown key kernel_keys in [daemon]" },
	{ "kernel_keys in [peer]", DAEMON "[peer a]\nkernel_keys = yes\n", NULL,
	  4, "unknown key kernel_keys in [peer]" },
	/* [escertke] and key = 43 */
	{ "escertke without certificate", DAEMON "[escertke]\n"
	  "private_key = @D@/k1.key\ntrust_anchors = @D@/ca.pem\n", NULL, 3,
	  "[escertke] needs certificate" },
	{ "escertke without private_key", DAEMON "\n[escertke]\n"
	  "certificate = @D@/gw1.pem\ntrust_anchors = @D@/ca.pem\n", NULL, 4,
	  "[escertke] needs private_key" },
	{ "escertke without trust_anchors", DAEMON "[escertke]\n"
	  "certificate = @D@/gw1.pem\nprivate_key = @D@/k1.key\n", NULL, 3,
	  "[escertke] needs trust_anchors" },
	{ "escertke certificate relative", DAEMON "[escertke]\n"
	  "certificate = gw1.pem\n", NULL, 4,
	  "certificate = gw1.pem: an absolute path expected" },
	{ "escertke certificate missing", DAEMON "[escertke]\n"
	  "certificate = @D@/none.pem\n", NULL, 4, "No such file or directory" },
	{ "escertke certificate a directory", DAEMON "[escertke]\n"
	  "certificate = @D@\n", NULL, 4, "not a regular file" },
	{ "escertke private key readable by others", DAEMON "[escertke]\n"
	  "private_key = @D@/ca.pem\n", NULL, 4,
	  "ca.pem: readable by others (mode 0644); chmod 600 it" },
	{ "escertke private key a link", DAEMON "[escertke]\n"
	  "private_key = @D@/link.key\n", NULL, 4, "a symbolic link" },
	{ "escertke key_lifetime too short", DAEMON "[escertke]\n"
	  "key_lifetime = 59\n", NULL, 4, "key_lifetime = 59: out of range" },
	{ "escertke key_lifetime within rekey_margin", ESCERTKE_OK
	  "key_lifetime = 60\n[limits]\nrekey_margin = 60\n", NULL, 7,
	  "key_lifetime (60) must be more than rekey_margin (60)" },
	{ "escertke timeout", DAEMON "[escertke]\ntimeout = 99\n", NULL, 4,
	  "timeout = 99: out of range (100 to 600000)" },
	{ "escertke max_per_peer", DAEMON "[escertke]\nmax_per_peer = 0\n",
	  NULL, 4, "max_per_peer = 0: out of range (1 to 64)" },
	{ "escertke max_handshakes", DAEMON "[escertke]\n"
	  "max_handshakes = 65537\n", NULL, 4,
	  "max_handshakes = 65537: out of range (1 to 65536)" },
	{ "escertke unknown key", DAEMON "[escertke]\nkid = x\n", NULL, 4,
	  "unknown key kid in [escertke]" },
	{ "escertke key twice", ESCERTKE_OK "timeout = 200\ntimeout = 300\n",
	  NULL, 8, "timeout is given twice" },
	{ "key 43 without [escertke]", DAEMON "[peer a]\n"
	  "identity = //sp2.example/CSE-gw2\nkey = certificate\n", NULL, 3,
	  "[peer a]: key = 43 needs an [escertke] section" },
	{ "key 43 with a kid", ESCERTKE_OK "[peer a]\n"
	  "identity = //sp2.example/CSE-gw2\nkey = 43\nkid = k\n", NULL, 7,
	  "[peer a]: key = 43 takes no kid" },
	{ "key 43 with a key_file", ESCERTKE_OK "[peer a]\n"
	  "identity = //sp2.example/CSE-gw2\nkey = 43\n"
	  "key_file = @D@/k1.key\n", NULL, 7,
	  "[peer a]: key = 43 takes no key_file" },
	{ "key 43 with an rspf_target", ESCERTKE_OK "[peer a]\n"
	  "identity = //sp2.example/CSE-gw2\nkey = 43\n"
	  "rspf_target = gw2.example\n", NULL, 7,
	  "rspf_target is for key = 23 only" },
	{ "key 43 without identity", ESCERTKE_OK "[peer a]\nkey = 43\n", NULL,
	  7, "[peer a] has no identity" },
	/* conf.d */
	{ "error in conf.d", DAEMON, "[limits]\n\nmax_sessions = 0\n", 3,
	  "max_sessions = 0: out of range" },
	{ "peer again in conf.d", DAEMON "[peer a]\n" PEER_OK,
	  "# more\n[peer a]\n", 2, "[peer a] again (first at " },
	{ "conf.d leaves the margin above the lifetime", DAEMON,
	  "[rand]\n\nrotate_margin = 3600\n", 3,
	  "rotate_margin (3600) must be less than" },
};

TEST_F(cfg, bad)
{
	char want[512], confd[256];
	const char *file;
	size_t i;
	int rc;

	snprintf(confd, sizeof(confd), "%s/conf.d/50-x.conf", self->dir);
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];

		unlink(confd);
		ASSERT_EQ(0, put(self->dir, "esprimd.conf", b->conf, 0644));
		if (b->confd)
			ASSERT_EQ(0, put(self->dir, "conf.d/50-x.conf", b->confd,
					 0644));
		file = b->confd ? confd : self->path;
		if (b->line)
			snprintf(want, sizeof(want), "%s:%u: ", file, b->line);
		else
			snprintf(want, sizeof(want), "%s: ", file);
		strcpy(self->err, "untouched");
		rc = esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err));
		{
			EXPECT_EQ(-1, rc) TH_LOG("case %zu: %s", i, b->name);
			EXPECT_EQ(NULL, self->c);
			EXPECT_EQ(0, strncmp(self->err, want, strlen(want)))
				TH_LOG("case %zu: %s: \"%s\" does not begin \"%s\"",
				       i, b->name, self->err, want);
			EXPECT_NE(NULL, strstr(self->err + strlen(want),
					       b->reason))
				TH_LOG("case %zu: %s: \"%s\" lacks \"%s\"", i,
				       b->name, self->err, b->reason);
		}
		esprimd_config_free(self->c);
		self->c = NULL;
	}
}

/*
 * [escertke] with every key, a peer with key = certificate (SUID 43) and
 * no kid or key_file; a later file's [escertke] keys override.
 */
TEST_F(cfg, escertke)
{
	const struct esprimd_escertke *x;
	char want[256];

	ASSERT_EQ(0, put(self->dir, "esprimd.conf", DAEMON
			 "[escertke]\n"
			 "certificate = @D@/gw1.pem\n"
			 "private_key = @D@/k1.key\n"
			 "trust_anchors = @D@/ca.pem\n"
			 "key_lifetime = 3600\n"
			 "timeout = 2000\n"
			 "max_per_peer = 3\n"
			 "max_handshakes = 100\n"
			 "[peer gw2]\n"
			 "identity = //sp2.example/CSE-gw2\n"
			 "address = http://127.0.0.1:9000/\n"
			 "key = certificate\n"
			 "[peer gw3]\n"
			 "identity = //sp3.example/CSE-gw3\n"
			 "key = 43\n", 0644));
	ASSERT_EQ(0, put(self->dir, "conf.d/50-x.conf",
			 "[escertke]\ntimeout = 3000\n", 0644));
	ASSERT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)))
		TH_LOG("%s", self->err);
	x = self->c->escertke;
	ASSERT_NE(NULL, x);
	snprintf(want, sizeof(want), "%s/gw1.pem", self->dir);
	EXPECT_STREQ(want, x->cert_file);
	snprintf(want, sizeof(want), "%s/k1.key", self->dir);
	EXPECT_STREQ(want, x->key_file);
	snprintf(want, sizeof(want), "%s/ca.pem", self->dir);
	EXPECT_STREQ(want, x->trust_file);
	EXPECT_EQ(3600, x->key_lifetime_s);
	EXPECT_EQ(3000, x->timeout_ms);
	EXPECT_EQ(3, x->max_per_peer);
	EXPECT_EQ(100, x->max_total);
	ASSERT_EQ(2, self->c->n_peers);
	EXPECT_EQ(ESPRIMD_KEY_CERTIFICATE, self->c->peers[0].source);
	EXPECT_EQ(ESPRIMD_KEY_CERTIFICATE, self->c->peers[1].source);
	EXPECT_EQ(NULL, self->c->peers[0].kid);
	EXPECT_EQ(NULL, self->c->peers[0].key_file);
	EXPECT_EQ(NULL, esprimd_config_peer_by_kid(self->c, "x"));
	esprimd_config_free(self->c);
	self->c = NULL;

	/* The defaults; no [escertke], no section. */
	ASSERT_EQ(0, put(self->dir, "esprimd.conf", ESCERTKE_OK, 0644));
	unlink(strcat(strcpy(want, self->dir), "/conf.d/50-x.conf"));
	ASSERT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)))
		TH_LOG("%s", self->err);
	x = self->c->escertke;
	ASSERT_NE(NULL, x);
	EXPECT_EQ(86400, x->key_lifetime_s);
	EXPECT_EQ(10000, x->timeout_ms);
	EXPECT_EQ(2, x->max_per_peer);
	EXPECT_EQ(256, x->max_total);
	esprimd_config_free(self->c);
	self->c = NULL;
	ASSERT_EQ(0, put(self->dir, "esprimd.conf", DAEMON, 0644));
	ASSERT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)));
	EXPECT_EQ(NULL, self->c->escertke);
}

/*
 * [cse] identities are checked against the [daemon] identity in force
 * once every file is read, and default to it.
 */
TEST_F(cfg, cse_identity_follows_daemon)
{
	char want[512];

	/* A later file changes the gateway: the CSE's line is refused. */
	ASSERT_EQ(0, put(self->dir, "esprimd.conf", DAEMON "[cse a]\nuser = 1\n"
			 "identity = //sp1.example/CSE-gw1\n", 0644));
	ASSERT_EQ(0, put(self->dir, "conf.d/50-x.conf",
			 "[daemon]\nidentity = //sp1.example/CSE-gw9\n", 0644));
	EXPECT_EQ(-1, esprimd_config_load(self->path, &self->c, self->err,
					  sizeof(self->err)));
	EXPECT_EQ(NULL, self->c);
	snprintf(want, sizeof(want),
		 "%s:5: [cse a]: identity //sp1.example/CSE-gw1 does not name this gateway (//sp1.example/CSE-gw9), the only From its peers accept (TS-0003 7.2.2)",
		 self->path);
	EXPECT_STREQ(want, self->err);

	/* Its SP-relative form, and the default, follow the final one. */
	ASSERT_EQ(0, put(self->dir, "esprimd.conf", DAEMON "[cse a]\nuser = 1\n"
			 "identity = /CSE-gw9\n[cse b]\nuser = 2\n", 0644));
	ASSERT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)))
		TH_LOG("%s", self->err);
	ASSERT_EQ(2, self->c->n_cses);
	ASSERT_EQ(1, self->c->cses[0].n_identities);
	EXPECT_STREQ("/CSE-gw9", self->c->cses[0].identities[0]);
	ASSERT_EQ(1, self->c->cses[1].n_identities);
	EXPECT_STREQ("//sp1.example/CSE-gw9", self->c->cses[1].identities[0]);
	esprimd_config_free(self->c);
	self->c = NULL;

	/* [cse] before [daemon] in one file. */
	unlink(strcat(strcpy(want, self->dir), "/conf.d/50-x.conf"));
	ASSERT_EQ(0, put(self->dir, "esprimd.conf", "[cse a]\nuser = 1\n"
			 "identity = /CSE-gw1 //sp1.example/CSE-gw1\n" DAEMON,
			 0644));
	ASSERT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)))
		TH_LOG("%s", self->err);
	EXPECT_EQ(2, self->c->cses[0].n_identities);
}

/*
 * Who may write a configuration file or conf.d/ may add [cse] sections:
 * writable by group or others is refused (readable is fine), in the main
 * file, a conf.d file and conf.d itself.
 */
TEST_F(cfg, file_modes)
{
	static const struct {
		const char *what;	/* "main", "file": conf.d/50-x.conf, "dir" */
		mode_t mode;
		bool ok;
	} cases[] = {
		{ "main", 0664, false }, { "main", 0646, false },
		{ "main", 0620, false }, { "main", 0602, false },
		{ "main", 0666, false }, { "main", 0777, false },
		{ "main", 01664, false }, { "main", 02622, false },
		{ "main", 0644, true }, { "main", 0600, true },
		{ "main", 0444, true }, { "main", 0400, true },
		{ "main", 0755, true }, { "main", 0640, true },
		{ "file", 0664, false }, { "file", 0606, false },
		{ "file", 0644, true }, { "file", 0400, true },
		{ "dir", 0775, false }, { "dir", 0757, false },
		{ "dir", 01777, false }, { "dir", 0730, false },
		{ "dir", 0755, true }, { "dir", 0700, true },
		{ "dir", 0555, true }, { "dir", 0711, true },
	};
	char confd[256], file[256], want[512];
	const char *at;
	size_t i;
	int rc;

	snprintf(confd, sizeof(confd), "%s/conf.d", self->dir);
	snprintf(file, sizeof(file), "%s/conf.d/50-x.conf", self->dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool main_file = !strcmp(cases[i].what, "main");
		bool dir = !strcmp(cases[i].what, "dir");

		ASSERT_EQ(0, put(self->dir, "esprimd.conf", DAEMON, 0644));
		ASSERT_EQ(0, put(self->dir, "conf.d/50-x.conf",
				 "[rand]\nper_request = no\n", 0644));
		ASSERT_EQ(0, chmod(main_file ? self->path : dir ? confd : file,
				   cases[i].mode));
		at = main_file ? self->path : dir ? confd : file;
		rc = esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err));
		if (cases[i].ok) {
			EXPECT_EQ(0, rc)
				TH_LOG("%s %04o: %s", cases[i].what,
				       (unsigned int)cases[i].mode, self->err);
			if (!rc)
				EXPECT_FALSE(self->c->per_request_rand);
		} else {
			snprintf(want, sizeof(want),
				 "%s: writable by group or others (mode %04o); chmod go-w it",
				 at, (unsigned int)cases[i].mode);
			EXPECT_EQ(-1, rc);
			EXPECT_EQ(NULL, self->c);
			EXPECT_STREQ(want, self->err);
		}
		esprimd_config_free(self->c);
		self->c = NULL;
		ASSERT_EQ(0, chmod(confd, 0755));
	}

	/* A FIFO in conf.d is refused, not waited on. */
	ASSERT_EQ(0, unlink(file));
	ASSERT_EQ(0, mkfifo(file, 0644));
	EXPECT_EQ(-1, esprimd_config_load(self->path, &self->c, self->err,
					  sizeof(self->err)));
	snprintf(want, sizeof(want), "%s: not a regular file", file);
	EXPECT_STREQ(want, self->err);
}

/* Owned by root or the daemon's user (the effective uid), nobody else. */
TEST_F(cfg, file_owners)
{
	static const char *const what[] = { "main", "file", "dir" };
	char confd[256], file[256], want[512];
	const char *at;
	size_t i;

	if (geteuid() != 0)
		SKIP(return, "chown to another user needs root");
	snprintf(confd, sizeof(confd), "%s/conf.d", self->dir);
	snprintf(file, sizeof(file), "%s/conf.d/50-x.conf", self->dir);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, put(self->dir, "esprimd.conf", DAEMON, 0644));
		ASSERT_EQ(0, put(self->dir, "conf.d/50-x.conf",
				 "[rand]\nper_request = no\n", 0644));
		ASSERT_EQ(0, chown(confd, 0, 0));
		at = i == 0 ? self->path : i == 1 ? file : confd;
		/* Another group, not writable by it: fine. */
		ASSERT_EQ(0, chown(at, 0, 65534));
		EXPECT_EQ(0, esprimd_config_load(self->path, &self->c,
						 self->err, sizeof(self->err)))
			TH_LOG("%s: %s", what[i], self->err);
		esprimd_config_free(self->c);
		self->c = NULL;
		ASSERT_EQ(0, chown(at, 65534, 0));
		EXPECT_EQ(-1, esprimd_config_load(self->path, &self->c,
						  self->err, sizeof(self->err)));
		EXPECT_EQ(NULL, self->c);
		snprintf(want, sizeof(want),
			 "%s: owned by uid 65534, not root or the daemon's user",
			 at);
		EXPECT_STREQ(want, self->err) TH_LOG("%s", what[i]);
		ASSERT_EQ(0, chown(at, 0, 0));
	}
}

/* A peer whose key_file (line 7) is dir/name. */
#define KEYFILE_CONF(name) DAEMON "[peer a]\n" \
	"identity = //sp2.example/CSE-gw2\nkid = kid2\nkey = 13\n" \
	"key_file = @D@/" name "\n"

/* Both the load and the read refuse dir/name with "<file>: reason". */
static void expect_key_refused(struct __test_metadata *_metadata,
			       FIXTURE_DATA(cfg) *self, const char *name,
			       const char *reason)
{
	char want[512], err[512];
	uint8_t key[64];

	ASSERT_EQ(0, put(self->dir, "esprimd.conf", KEYFILE_CONF("bad.key"),
			 0644));
	snprintf(want, sizeof(want), "%s:7: %s/%s: %s", self->path, self->dir,
		 name, reason);
	EXPECT_EQ(-1, esprimd_config_load(self->path, &self->c, self->err,
					  sizeof(self->err)));
	EXPECT_STREQ(want, self->err);
	esprimd_config_free(self->c);
	self->c = NULL;
	snprintf(want, sizeof(want), "%s/%s", self->dir, name);
	EXPECT_EQ(-1, esprimd_config_read_key(want, key, sizeof(key), err,
					      sizeof(err)));
	snprintf(want, sizeof(want), "%s/%s: %s", self->dir, name, reason);
	EXPECT_STREQ(want, err);
}

TEST_F(cfg, key_file_permissions)
{
	static const struct {
		mode_t mode;
		const char *reason;
	} modes[] = {
		{ 0644, "readable by others (mode 0644); chmod 600 it" },
		{ 0640, "readable by its group (mode 0640); chmod 600 it" },
		{ 0604, "readable by others (mode 0604); chmod 600 it" },
		{ 0620, "writable by its group (mode 0620); chmod 600 it" },
		{ 0602, "writable by others (mode 0602); chmod 600 it" },
		{ 0610, "open to its group or others (mode 0610); chmod 600 it" },
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ASSERT_EQ(0, put(self->dir, "bad.key", KEY1_HEX "\n",
				 modes[i].mode));
		expect_key_refused(_metadata, self, "bad.key", modes[i].reason);
	}
	/* 0600 and 0400 are fine. */
	ASSERT_EQ(0, put(self->dir, "bad.key", KEY1_HEX "\n", 0600));
	ASSERT_EQ(0, put(self->dir, "esprimd.conf", KEYFILE_CONF("bad.key"),
			 0644));
	EXPECT_EQ(0, esprimd_config_load(self->path, &self->c, self->err,
					 sizeof(self->err)))
		TH_LOG("%s", self->err);
}

TEST_F(cfg, key_file_not_a_file)
{
	char path[256], target[256];

	/* A symbolic link to a good key file. */
	snprintf(path, sizeof(path), "%s/bad.key", self->dir);
	snprintf(target, sizeof(target), "%s/k1.key", self->dir);
	ASSERT_EQ(0, symlink(target, path));
	expect_key_refused(_metadata, self, "bad.key",
			   "a symbolic link; name the key file itself");
	ASSERT_EQ(0, unlink(path));
	/* A directory, and a FIFO (which must not block the read). */
	ASSERT_EQ(0, mkdir(path, 0700));
	expect_key_refused(_metadata, self, "bad.key", "not a regular file");
	ASSERT_EQ(0, rmdir(path));
	ASSERT_EQ(0, mkfifo(path, 0600));
	expect_key_refused(_metadata, self, "bad.key", "not a regular file");
}

TEST_F(cfg, key_file_owner)
{
	char path[256], want[128];

	if (geteuid() != 0)
		SKIP(return, "chown to another user needs root");
	ASSERT_EQ(0, put(self->dir, "bad.key", KEY1_HEX "\n", 0600));
	snprintf(path, sizeof(path), "%s/bad.key", self->dir);
	ASSERT_EQ(0, chown(path, 65534, 65534));
	snprintf(want, sizeof(want),
		 "owned by uid 65534; a key file belongs to esprimd's user (uid %u) or root",
		 (unsigned int)geteuid());
	expect_key_refused(_metadata, self, "bad.key", want);
}

TEST_F(cfg, key_file_contents)
{
	static const struct {
		const char *text;
		const char *reason;
	} bad[] = {
		{ "", "0 hex digits; a key file holds 32 to 128 (16 to 64 octets)" },
		{ "\n", "0 hex digits; a key file holds 32 to 128" },
		{ KEY2_HEX "\n\n",
		  "character 33 is not a hex digit; a key file is 32 to 128 hex digits and a newline" },
		{ KEY1_HEX "\r\n", "character 65 is not a hex digit" },
		{ " " KEY1_HEX, "character 1 is not a hex digit" },
		{ "0x" KEY1_HEX, "character 2 is not a hex digit" },
		{ "000102030405060708g90a0b0c0d0e0f00", "character 19 is not" },
		{ "00010203040506070809:a0b0c0d0e0f0", "character 21 is not" },
		{ "000102030405060708090a0b0c0d0e0\n", "31 hex digits" },
		{ "000102030405060708090a0b0c0d0e0f0", "an odd number of hex digits (33)" },
		{ KEY1_HEX KEY1_HEX "00\n", "over 128 hex digits" },
		{ KEY1_HEX KEY1_HEX KEY1_HEX KEY1_HEX, "over 128 hex digits" },
		{ "\xff" KEY1_HEX, "character 1 is not a hex digit" },
	};
	char path[256], err[512];
	uint8_t key[64];
	size_t i;

	snprintf(path, sizeof(path), "%s/bad.key", self->dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(0, put(self->dir, "bad.key", bad[i].text, 0600));
		err[0] = '\0';
		{
			EXPECT_EQ(-1, esprimd_config_read_key(path, key,
							      sizeof(key), err,
							      sizeof(err)))
				TH_LOG("case %zu", i);
			EXPECT_EQ(0, strncmp(err, path, strlen(path)))
				TH_LOG("case %zu: %s", i, err);
			EXPECT_NE(NULL, strstr(err, bad[i].reason))
				TH_LOG("case %zu: \"%s\" lacks \"%s\"", i, err,
				       bad[i].reason);
			/* Never the key material in a message. */
			EXPECT_EQ(NULL, strstr(err, "0102030405"))
				TH_LOG("case %zu: %s", i, err);
		}
	}
	/* And through the load, at the key_file line. */
	ASSERT_EQ(0, put(self->dir, "bad.key", "0011\n", 0600));
	ASSERT_EQ(0, put(self->dir, "esprimd.conf", KEYFILE_CONF("bad.key"),
			 0644));
	EXPECT_EQ(-1, esprimd_config_load(self->path, &self->c, self->err,
					  sizeof(self->err)));
	snprintf(err, sizeof(err), "%s:7: %s: 4 hex digits", self->path, path);
	EXPECT_EQ(0, strncmp(self->err, err, strlen(err)))
		TH_LOG("%s", self->err);
}

TEST_F(cfg, read_key)
{
	static const uint8_t deadbeef[4] = { 0xde, 0xad, 0xbe, 0xef };
	uint8_t key[64], want[64];
	char path[256], err[512];
	size_t i;

	snprintf(path, sizeof(path), "%s/k1.key", self->dir);
	memset(key, 0xaa, sizeof(key));
	EXPECT_EQ(32, esprimd_config_read_key(path, key, sizeof(key), err,
					      sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(0, memcmp(key, key1, sizeof(key1)));
	EXPECT_EQ(0xaa, key[32]);		/* nothing written beyond */

	/* The shortest key, no newline, mode 0400. */
	snprintf(path, sizeof(path), "%s/k2.key", self->dir);
	EXPECT_EQ(16, esprimd_config_read_key(path, key, sizeof(key), err,
					      sizeof(err)))
		TH_LOG("%s", err);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(deadbeef[i % 4], key[i]);

	/* The longest, 128 digits. */
	for (i = 0; i < 64; i++)
		want[i] = (uint8_t)(255 - i * 3);
	{
		char hex[130];

		for (i = 0; i < 64; i++)
			snprintf(hex + 2 * i, 3, "%02x", want[i]);
		strcat(hex, "\n");
		ASSERT_EQ(0, put(self->dir, "k64.key", hex, 0600));
	}
	snprintf(path, sizeof(path), "%s/k64.key", self->dir);
	EXPECT_EQ(64, esprimd_config_read_key(path, key, sizeof(key), err,
					      sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(0, memcmp(key, want, 64));

	/* A buffer smaller than the key. */
	EXPECT_EQ(-1, esprimd_config_read_key(path, key, 32, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, ": a key of 64 octets, more than the 32 expected"))
		TH_LOG("%s", err);
}

TEST_HARNESS_MAIN
