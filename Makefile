# SPDX-License-Identifier: GPL-2.0
#
# onem2m-esprim.  `make` builds the module for KDIR and all userspace,
# `make check` runs every test, `make demo` the demonstration; README.md
# has the rest.  Kbuild (beside this file) is what kbuild reads for the
# module itself.

# Kernel build dir; resolved when the module is built (after deps may have
# installed headers): the running kernel's, else the newest installed.
KDIR ?=
BUILD := build
KSRC := $(BUILD)/ksrc
HARNESS_INC := $(KSRC)/tools/testing/selftests

CC ?= gcc
CFLAGS ?= -O2 -g
# libnl-genl-3: libesprim's batched path over the module's netlink family.
NL_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags \
	libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3))
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || \
	echo -lnl-genl-3 -lnl-3)
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wno-unused-parameter -Werror
ALL_CFLAGS := $(CFLAGS) $(WARN) -D_GNU_SOURCE -Iinclude/uapi -Iuser/lib \
	$(NL_CFLAGS)
# The kselftest harness defines fixture functions without prototypes.
TEST_CFLAGS := $(ALL_CFLAGS) -Wno-missing-prototypes -isystem $(HARNESS_INC)

KCAPI_LIBS := $(shell pkg-config --libs libkcapi 2>/dev/null || echo -lkcapi)
JANSSON_LIBS := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)
CRYPTO_LIBS := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)
KEYUTILS_LIBS := -lkeyutils

UAPI := include/uapi/linux/onem2m_esprim.h
UAPI_NL := include/uapi/linux/onem2m_esprim_netlink.h
GCM_REF := selftests/lib/gcm_ref.c selftests/lib/gcm_ref.h
TEST_IV := selftests/lib/iv.c selftests/lib/iv.h
REPLAY_VECTORS := selftests/lib/replay_vectors.h selftests/lib/scale.h \
	selftests/lib/proc_keys.h
AFALG := user/lib/esprim_afalg.c user/lib/esprim_afalg.h

# libesprim: static for the project's programs and tests, shared and a
# pkg-config file for others.
LIB_SRCS := $(wildcard user/lib/esprim*.c)
LIB_HDRS := $(wildcard user/lib/*.h) $(UAPI) \
	include/uapi/linux/onem2m_esprim_netlink.h
LIB_OBJS := $(patsubst user/lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
LIBESPRIM := $(BUILD)/lib/libesprim.a
LIBESPRIM_SO := $(BUILD)/lib/libesprim.so.1
LIB_LIBS := $(JANSSON_LIBS) $(CRYPTO_LIBS) $(KCAPI_LIBS) $(KEYUTILS_LIBS) \
	$(NL_LIBS) -lpthread
PREFIX ?= /usr/local

HOST_TESTS := $(BUILD)/selftests/host/kat_vectors_test \
	$(BUILD)/selftests/host/uapi_test \
	$(BUILD)/selftests/host/libesprim_test \
	$(BUILD)/selftests/host/libesprim_sanitized_test \
	$(BUILD)/selftests/host/hotpath_alloc_test \
	$(BUILD)/selftests/host/encoding_test \
	$(BUILD)/selftests/host/open_security_test \
	$(BUILD)/selftests/host/open_clock_test \
	$(BUILD)/selftests/host/from_check_test \
	$(BUILD)/selftests/host/esprimd_config_test
VM_TESTS := $(BUILD)/selftests/vm/aead_test \
	$(BUILD)/selftests/vm/keys_test \
	$(BUILD)/selftests/vm/module_test \
	$(BUILD)/selftests/vm/libesprim_kernel_test \
	$(BUILD)/selftests/vm/libesprim_batch_test \
	$(BUILD)/selftests/vm/session_state_test \
	$(BUILD)/selftests/vm/fault_ops \
	$(BUILD)/selftests/vm/netlink_test \
	$(BUILD)/selftests/vm/netlink_fuzz
PROGRAMS := $(BUILD)/user/esprim_demo $(BUILD)/bench/aead_bench \
	$(BUILD)/bench/session_scale $(BUILD)/bench/jwe_bench \
	$(BUILD)/bench/backend_bench $(BUILD)/bench/netlink_bench \
	$(BUILD)/user/esprimctl $(BUILD)/user/esprimd $(LIBESPRIM_SO)

.PHONY: all deps module user selftests check demo demo-lib bench vm-shell \
	debug-kernel bench-lib coverage install dkms-add dkms-remove clean

all: deps module user selftests

deps:
	@scripts/deps.sh

module: deps
	scripts/build-module.sh "$(or $(KDIR),$$(scripts/kernels.sh kdir))" \
		$(BUILD)/kmod

user: $(PROGRAMS)

selftests: $(HOST_TESTS) $(VM_TESTS) $(BUILD)/selftests/interop/cjose_tool \
	$(BUILD)/fuzz/fuzz_parsers $(YNL_CLI)

$(BUILD)/lib/%.o: user/lib/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<

$(LIBESPRIM): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(LIBESPRIM_SO): $(LIB_OBJS) user/lib/libesprim.map
	$(CC) -shared -Wl,-soname,libesprim.so.1 \
		-Wl,--version-script=user/lib/libesprim.map -o $@ $(LIB_OBJS) \
		$(LIB_LIBS)
	ln -sf libesprim.so.1 $(BUILD)/lib/libesprim.so

# One file per command (user/ctl/*.c), linked statically.
CTL_SRCS := $(wildcard user/ctl/*.c)
$(BUILD)/user/esprimctl: $(CTL_SRCS) user/ctl/ctl.h $(LIBESPRIM)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(CTL_SRCS) $(LIBESPRIM) $(LIB_LIBS)

# esprimd: the daemon, every file of user/daemon/.
DAEMON_SRCS := $(wildcard user/daemon/*.c)
DAEMON_LIBS := $(shell pkg-config --libs libsystemd libmicrohttpd libcurl \
	inih 2>/dev/null || echo -lsystemd -lmicrohttpd -lcurl -linih)
$(BUILD)/user/esprimd: $(DAEMON_SRCS) $(wildcard user/daemon/*.h) $(LIBESPRIM)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(DAEMON_SRCS) $(LIBESPRIM) $(DAEMON_LIBS) \
		$(LIB_LIBS)

# The daemon and the library under ASan and UBSan, for the host's
# two-daemon test (selftests/host/esprimd_test.py, ESPRIMD_BIN).
selftests: $(BUILD)/selftests/host/esprimd_asan
$(BUILD)/selftests/host/esprimd_asan: $(DAEMON_SRCS) \
		$(wildcard user/daemon/*.h) $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -O1 -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-o $@ $(DAEMON_SRCS) $(LIB_SRCS) $(DAEMON_LIBS) $(LIB_LIBS)

$(BUILD)/selftests/host/libesprim_test: selftests/host/libesprim_test.c \
		selftests/host/malformed_objects.txt $(REPLAY_VECTORS) $(LIBESPRIM) \
		$(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) \
		-DCORPUS='"$(CURDIR)/selftests/host/malformed_objects.txt"' \
		-o $@ $< $(LIBESPRIM) $(LIB_LIBS)

# The unit tests again, library included, under ASan and UBSan.
$(BUILD)/selftests/host/libesprim_sanitized_test: \
		selftests/host/libesprim_test.c selftests/host/malformed_objects.txt \
		$(REPLAY_VECTORS) \
		$(LIB_SRCS) $(LIB_HDRS) $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -O1 -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-DCORPUS='"$(CURDIR)/selftests/host/malformed_objects.txt"' \
		-o $@ $< $(LIB_SRCS) $(LIB_LIBS)

# The opening rules, library included, under ASan and UBSan.
$(BUILD)/selftests/host/open_security_test: \
		selftests/host/open_security_test.c $(LIB_SRCS) $(LIB_HDRS) \
		$(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -O1 -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-o $@ $< $(LIB_SRCS) $(LIB_LIBS)

# The library with its clock readings routed to the test's clock.
$(BUILD)/selftests/host/open_clock_test: \
		selftests/host/open_clock_test.c $(LIB_SRCS) $(LIB_HDRS) \
		$(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -O1 -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-Dclock_gettime=test_clock_gettime \
		-o $@ $< $(LIB_SRCS) $(LIB_LIBS)

$(BUILD)/selftests/host/hotpath_alloc_test: \
		selftests/host/hotpath_alloc_test.c $(LIBESPRIM) $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(LIBESPRIM) $(LIB_LIBS)

$(BUILD)/selftests/interop/cjose_tool: selftests/interop/cjose_tool.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< -lcjose $(JANSSON_LIBS)

# libFuzzer build of the parsers, with ASan and UBSan.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -D_GNU_SOURCE -Iinclude/uapi -Iuser/lib \
	$(NL_CFLAGS)
$(BUILD)/fuzz/fuzz_parsers: selftests/fuzz/fuzz_parsers.c $(LIB_SRCS) \
		$(LIB_HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) $(LIB_LIBS)

$(KSRC)/.extracted:
	scripts/ksrc.sh $(KSRC)

$(BUILD)/selftests/host/kat_vectors_test: selftests/host/kat_vectors_test.c \
		kmod/selftest_vectors.h $(GCM_REF) $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< selftests/lib/gcm_ref.c \
		$(CRYPTO_LIBS)

$(BUILD)/selftests/host/uapi_test: selftests/host/uapi_test.c $(UAPI) \
		$(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $<

$(BUILD)/selftests/vm/libesprim_kernel_test: \
		selftests/vm/libesprim_kernel_test.c $(TEST_IV) $(LIBESPRIM) \
		$(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< selftests/lib/iv.c $(LIBESPRIM) \
		$(LIB_LIBS)

$(BUILD)/selftests/vm/libesprim_batch_test: \
		selftests/vm/libesprim_batch_test.c $(TEST_IV) $(LIBESPRIM) \
		$(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< selftests/lib/iv.c $(LIBESPRIM) \
		$(LIB_LIBS)

# The netlink family's tests: libnl-genl-3 (theirs only) and the client
# of selftests/lib/genl.c.
GENL_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags \
	libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3))
GENL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || \
	echo -lnl-genl-3 -lnl-3)
NETLINK_TESTS := $(BUILD)/selftests/vm/netlink_test \
	$(BUILD)/selftests/vm/netlink_fuzz
$(NETLINK_TESTS): $(BUILD)/selftests/vm/%: selftests/vm/%.c $(UAPI) \
		include/uapi/linux/onem2m_esprim_netlink.h \
		selftests/lib/genl.c selftests/lib/genl.h \
		selftests/lib/session_keys.h $(GCM_REF) $(TEST_IV) \
		selftests/lib/scale.h $(AFALG) $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(GENL_CFLAGS) -o $@ $< selftests/lib/genl.c \
		selftests/lib/gcm_ref.c selftests/lib/iv.c \
		user/lib/esprim_afalg.c $(GENL_LIBS) $(KCAPI_LIBS) \
		$(CRYPTO_LIBS) $(KEYUTILS_LIBS) -lpthread

# The kernel's YNL command line (selftests/vm/ynl_cli_test.sh).  A tree
# extracted before it was on scripts/ksrc.sh's list gets it from a fresh
# extraction beside it, leaving the files in use alone.
YNL_CLI := $(KSRC)/tools/net/ynl/cli.py
$(YNL_CLI): | $(KSRC)/.extracted
	test -e $@ || { rm -rf $(BUILD)/ksrc.ynl && \
		scripts/ksrc.sh $(BUILD)/ksrc.ynl && \
		mkdir -p $(KSRC)/tools/net $(KSRC)/Documentation/netlink && \
		cp -r $(BUILD)/ksrc.ynl/tools/net/ynl $(KSRC)/tools/net/ && \
		cp $(BUILD)/ksrc.ynl/Documentation/netlink/genetlink-legacy.yaml \
			$(KSRC)/Documentation/netlink/ && \
		rm -rf $(BUILD)/ksrc.ynl; }

$(BUILD)/selftests/vm/%: selftests/vm/%.c $(UAPI) $(GCM_REF) $(TEST_IV) \
		$(REPLAY_VECTORS) \
		$(AFALG) kmod/selftest_vectors.h \
		$(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< selftests/lib/gcm_ref.c \
		selftests/lib/iv.c user/lib/esprim_afalg.c $(KCAPI_LIBS) \
		$(CRYPTO_LIBS) \
		$(KEYUTILS_LIBS) -lpthread

$(BUILD)/user/esprim_demo: user/demo/esprim_demo.c $(LIBESPRIM)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBESPRIM) $(LIB_LIBS)

# Benches of whole objects through libesprim: bench/bench_pair.c with each.
BENCH_PAIR := bench/bench_pair.c bench/bench_pair.h
$(BUILD)/bench/backend_bench: bench/backend_bench.c $(BENCH_PAIR) $(LIBESPRIM)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< bench/bench_pair.c $(LIBESPRIM) \
		$(LIB_LIBS)

$(BUILD)/bench/netlink_bench: bench/netlink_bench.c $(BENCH_PAIR) $(LIBESPRIM)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< bench/bench_pair.c $(LIBESPRIM) \
		$(LIB_LIBS)

$(BUILD)/bench/jwe_bench: bench/jwe_bench.c $(LIBESPRIM)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBESPRIM) -lcjose $(LIB_LIBS)

$(BUILD)/bench/%: bench/%.c $(UAPI) $(AFALG)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< user/lib/esprim_afalg.c $(KCAPI_LIBS) \
		$(KEYUTILS_LIBS)

# The build on every core (CI runs a plain `make check`), then the checks.
check: deps
	$(MAKE) -j$(shell nproc) selftests user
	scripts/check.sh

demo: deps user selftests
	scripts/demo.sh

demo-lib: deps user
	scripts/demo.sh --lib

bench: deps user
	scripts/bench.sh

bench-lib: deps user
	scripts/bench-lib.sh

coverage: deps $(KSRC)/.extracted
	scripts/coverage.sh

# The debug kernel (KASAN, lockdep, kmemleak...), cached in /var/cache.
debug-kernel: deps
	scripts/debug-kernel.sh build

# Interactive shell in the VM: make vm-shell SERIES=6.12 (or debug)
SERIES ?= 6.1
vm-shell: deps
	[ "$(SERIES)" != debug ] || scripts/debug-kernel.sh build >/dev/null
	scripts/build-module.sh \
		"$$(scripts/kernels.sh builddir $(SERIES))" $(BUILD)/kmod
	vm/run.sh --series $(SERIES) --shell

# The pkg-config file is written for PREFIX at install time.
# esprimd: its unit (ExecStart under PREFIX), example configuration and the
# man pages of the library, the module, the daemon and its configuration.
SYSTEMDUNITDIR ?= /lib/systemd/system
MANDIR = $(DESTDIR)$(PREFIX)/share/man
install: $(LIBESPRIM) $(LIBESPRIM_SO) $(BUILD)/user/esprimctl \
		$(BUILD)/user/esprimd
	install -D -m 644 user/lib/esprim.h $(DESTDIR)$(PREFIX)/include/esprim.h
	install -D -m 644 $(UAPI) \
		$(DESTDIR)$(PREFIX)/include/linux/onem2m_esprim.h
	install -D -m 644 include/uapi/linux/onem2m_esprim_netlink.h \
		$(DESTDIR)$(PREFIX)/include/linux/onem2m_esprim_netlink.h
	install -D -m 644 $(LIBESPRIM) $(DESTDIR)$(PREFIX)/lib/libesprim.a
	install -D -m 755 $(LIBESPRIM_SO) \
		$(DESTDIR)$(PREFIX)/lib/libesprim.so.1
	ln -sf libesprim.so.1 $(DESTDIR)$(PREFIX)/lib/libesprim.so
	mkdir -p $(DESTDIR)$(PREFIX)/lib/pkgconfig
	sed 's|@PREFIX@|$(PREFIX)|' user/lib/libesprim.pc.in \
		>$(DESTDIR)$(PREFIX)/lib/pkgconfig/libesprim.pc
	install -D -m 755 $(BUILD)/user/esprimctl \
		$(DESTDIR)$(PREFIX)/bin/esprimctl
	install -D -m 644 user/ctl/esprimctl.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/esprimctl.8
	install -D -m 644 user/ctl/esprimctl.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/esprimctl
	install -D -m 755 $(BUILD)/user/esprimd $(DESTDIR)$(PREFIX)/sbin/esprimd
	mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/sbin/esprimd|$(PREFIX)/sbin/esprimd|g' \
		user/daemon/esprimd.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/esprimd.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/esprimd.service
	install -D -m 644 user/daemon/esprimd.conf \
		$(DESTDIR)/etc/onem2m-esprim/esprimd.conf.example
	install -D -m 644 user/lib/libesprim.3 $(MANDIR)/man3/libesprim.3
	install -D -m 644 user/daemon/esprimd.conf.5 \
		$(MANDIR)/man5/esprimd.conf.5
	install -D -m 644 kmod/onem2m-esprim.7 $(MANDIR)/man7/onem2m-esprim.7
	install -D -m 644 user/daemon/esprimd.8 $(MANDIR)/man8/esprimd.8

dkms-add:
	scripts/dkms.sh add

dkms-remove:
	scripts/dkms.sh remove

clean:
	rm -rf $(BUILD)

# Base64url, timestamps and m2m:seci against independent references.
$(BUILD)/selftests/host/encoding_test: selftests/host/encoding_test.c \
		$(LIBESPRIM) $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(LIBESPRIM) $(LIB_LIBS)

# The From check (esprim_from.c): B.11, B.12 and the JSON scan against
# jansson over a generated corpus.
$(BUILD)/selftests/host/from_check_test: selftests/host/from_check_test.c \
		$(LIBESPRIM) $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(LIBESPRIM) $(LIB_LIBS)

# The library and its unit tests built for a big-endian (s390x) and a
# 32-bit (armhf) target and run under qemu-user: CROSS_ARCHES="s390x".
CROSS_ARCHES ?=
.PHONY: cross-check
cross-check: deps $(KSRC)/.extracted
	scripts/cross-check.sh $(CROSS_ARCHES)

# esprimd: the configuration loader (user/daemon/config.c) and its test.
INIH_LIBS := $(shell pkg-config --libs inih 2>/dev/null || echo -linih)
CURL_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)
ESPRIMD_CONFIG := user/daemon/config.c user/daemon/config.h
$(BUILD)/selftests/host/esprimd_config_test: \
		selftests/host/esprimd_config_test.c $(ESPRIMD_CONFIG) \
		user/daemon/esprimd.conf \
		$(LIBESPRIM) $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Iuser/daemon -O1 -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-DEXAMPLE_CONF='"$(CURDIR)/user/daemon/esprimd.conf"' \
		-o $@ $< user/daemon/config.c $(LIBESPRIM) $(LIB_LIBS) \
		$(INIH_LIBS) $(CURL_LIBS)

# esprimd: the HTTP binding (user/daemon/http*.c), its test under ASan and
# UBSan, and its libFuzzer target.
HTTP_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags \
	libmicrohttpd libcurl libsystemd 2>/dev/null))
HTTP_LIBS := $(shell pkg-config --libs libmicrohttpd libcurl libsystemd \
	2>/dev/null || echo -lmicrohttpd -lcurl -lsystemd) $(JANSSON_LIBS)
HTTP_SRCS := user/daemon/http.c user/daemon/http_server.c \
	user/daemon/http_client.c user/daemon/http_check.c \
	user/daemon/http_status.c user/daemon/binding.c
HTTP_HDRS := user/daemon/http.h user/daemon/http_internal.h \
	user/daemon/binding.h
HOST_TESTS += $(BUILD)/selftests/host/esprimd_http_test
selftests: $(BUILD)/selftests/host/esprimd_http_test $(BUILD)/fuzz/fuzz_http
$(BUILD)/selftests/host/esprimd_http_test: selftests/host/esprimd_http_test.c \
		$(HTTP_SRCS) $(HTTP_HDRS) $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Iuser/daemon $(HTTP_CFLAGS) -O1 \
		-fsanitize=address,undefined -fno-sanitize-recover=undefined \
		-fno-omit-frame-pointer -o $@ $< $(HTTP_SRCS) $(HTTP_LIBS)
$(BUILD)/fuzz/fuzz_http: selftests/fuzz/fuzz_http.c $(HTTP_SRCS) $(HTTP_HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -Iuser/daemon $(HTTP_CFLAGS) -o $@ $< \
		$(HTTP_SRCS) $(HTTP_LIBS)

# esprimd: the socket API (user/daemon/api.c), its test and the C client's
# under ASan and UBSan, the test stand-in for esprimd that the Python and
# Node.js example clients are run against, and the API's libFuzzer target.
API_CFLAGS := -Iuser/daemon $(patsubst -I%,-isystem %,$(shell pkg-config \
	--cflags libsystemd jansson 2>/dev/null))
API_LIBS := $(shell pkg-config --libs libsystemd jansson 2>/dev/null || \
	echo -lsystemd -ljansson)
API_SRCS := user/daemon/api.c user/daemon/api.h user/daemon/api_line.h
SAN_FLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
HOST_TESTS += $(BUILD)/selftests/host/esprimd_api_test
selftests: $(BUILD)/selftests/host/esprimd_api_test \
	$(BUILD)/selftests/host/api_echo_server $(BUILD)/fuzz/fuzz_api
$(BUILD)/selftests/host/esprimd_api_test: selftests/host/esprimd_api_test.c \
		$(API_SRCS) $(LIB_SRCS) $(LIB_HDRS) $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(API_CFLAGS) $(SAN_FLAGS) -o $@ $< \
		user/daemon/api.c $(LIB_SRCS) $(LIB_LIBS) $(API_LIBS)
$(BUILD)/selftests/host/api_echo_server: selftests/host/api_echo_server.c \
		$(API_SRCS) $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(API_CFLAGS) $(SAN_FLAGS) -o $@ $< \
		user/daemon/api.c $(LIB_SRCS) $(LIB_LIBS) $(API_LIBS)
$(BUILD)/fuzz/fuzz_api: selftests/fuzz/fuzz_api.c $(API_SRCS) $(LIB_SRCS) \
		$(LIB_HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) $(API_CFLAGS) -o $@ $< user/daemon/api.c \
		$(LIB_SRCS) $(LIB_LIBS) $(API_LIBS)

# sidecar: binding (user/daemon/binding.c), the TS-0009 mapping between a
# CSE's plain HTTP messages and JSON primitives; its test under ASan and
# UBSan and its libFuzzer target (http_status.c for the status of an RSC).
BINDING_SRCS := user/daemon/binding.c user/daemon/http_status.c
BINDING_HDRS := user/daemon/binding.h user/daemon/http.h \
	user/daemon/http_internal.h
BINDING_CFLAGS := -Iuser/daemon $(patsubst -I%,-isystem %,$(shell \
	pkg-config --cflags jansson libsystemd 2>/dev/null))
HOST_TESTS += $(BUILD)/selftests/host/binding_test
selftests: $(BUILD)/selftests/host/binding_test $(BUILD)/fuzz/fuzz_binding
$(BUILD)/selftests/host/binding_test: selftests/host/binding_test.c \
		$(BINDING_SRCS) $(BINDING_HDRS) $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(BINDING_CFLAGS) $(SAN_FLAGS) -o $@ $< \
		$(BINDING_SRCS) $(JANSSON_LIBS)
$(BUILD)/fuzz/fuzz_binding: selftests/fuzz/fuzz_binding.c $(BINDING_SRCS) \
		$(BINDING_HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) $(BINDING_CFLAGS) -o $@ $< $(BINDING_SRCS) \
		$(JANSSON_LIBS)

# sidecar: CSE stand-in (selftests/fixtures/cse_standin.c), the test fixture
# in place of a third-party oneM2M CSE (HTTP binding), not part of the
# product: optimised for the sidecar's benchmark, and under ASan and UBSan
# for selftests/host/cse_standin_test.sh.
CSE_STANDIN_LIBS := $(shell pkg-config --libs libmicrohttpd jansson \
	2>/dev/null || echo -lmicrohttpd -ljansson) -lpthread
selftests: $(BUILD)/selftests/fixtures/cse_standin \
	$(BUILD)/selftests/fixtures/cse_standin_asan
$(BUILD)/selftests/fixtures/cse_standin: selftests/fixtures/cse_standin.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(CSE_STANDIN_LIBS)
$(BUILD)/selftests/fixtures/cse_standin_asan: selftests/fixtures/cse_standin.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $< $(CSE_STANDIN_LIBS)

# esprimd: the daemon benchmark (bench/esprimd_bench.c), run against two
# daemons by scripts/bench-daemon.sh (soft backend on the host; --kernel in
# the VM).
PROGRAMS += $(BUILD)/bench/esprimd_bench
user: $(BUILD)/bench/esprimd_bench
$(BUILD)/bench/esprimd_bench: bench/esprimd_bench.c $(BENCH_PAIR) \
		$(LIBESPRIM)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< bench/bench_pair.c $(LIBESPRIM) \
		$(LIB_LIBS)
.PHONY: bench-daemon
bench-daemon: deps user
	scripts/bench-daemon.sh

# sidecar: bench (bench/sidecar_bench.c, an AE's load over keep-alive HTTP
# through libcurl), run by scripts/bench-sidecar.sh against two CSE
# stand-ins and their esprimd sidecars: direct, pass-through and sealed
# (soft backend on the host; --kernel in the VM).
PROGRAMS += $(BUILD)/bench/sidecar_bench
user: $(BUILD)/bench/sidecar_bench
$(BUILD)/bench/sidecar_bench: bench/sidecar_bench.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(CURL_LIBS)
.PHONY: bench-sidecar
bench-sidecar: deps user $(BUILD)/selftests/fixtures/cse_standin
	scripts/bench-sidecar.sh

# esprimd: ESCertKE (issue 13): the engine (user/daemon/escertke.c, in the
# daemon through DAEMON_SRCS, hence libssl), its host test under ASan and
# UBSan, its libFuzzer target, the interop tool for the Node.js peer
# (selftests/interop/escertke_interop_test.sh) and its benchmark.
SSL_LIBS := $(shell pkg-config --libs libssl libcrypto 2>/dev/null || \
	echo -lssl -lcrypto)
DAEMON_LIBS += $(SSL_LIBS)
ESCERTKE := user/daemon/escertke.c user/daemon/escertke.h
HOST_TESTS += $(BUILD)/selftests/host/escertke_test
selftests: $(BUILD)/selftests/host/escertke_test $(BUILD)/fuzz/fuzz_escertke \
	$(BUILD)/selftests/interop/escertke_tool
$(BUILD)/selftests/host/escertke_test: selftests/host/escertke_test.c \
		selftests/host/escertke_certs.sh $(ESCERTKE) $(KSRC)/.extracted
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Iuser/daemon $(SAN_FLAGS) \
		-DCERTS_SH='"$(CURDIR)/selftests/host/escertke_certs.sh"' \
		-o $@ $< user/daemon/escertke.c $(SSL_LIBS)
$(BUILD)/fuzz/fuzz_escertke: selftests/fuzz/fuzz_escertke.c $(ESCERTKE) \
		selftests/lib/escertke_engine.h \
		selftests/host/escertke_certs.sh
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -Iuser/daemon \
		-DCERTS_SH='"$(CURDIR)/selftests/host/escertke_certs.sh"' \
		-o $@ $< user/daemon/escertke.c $(SSL_LIBS)
$(BUILD)/selftests/interop/escertke_tool: selftests/interop/escertke_tool.c \
		$(ESCERTKE)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iuser/daemon -o $@ $< user/daemon/escertke.c \
		$(SSL_LIBS)
PROGRAMS += $(BUILD)/bench/escertke_bench
user: $(BUILD)/bench/escertke_bench
$(BUILD)/bench/escertke_bench: bench/escertke_bench.c $(ESCERTKE) \
		selftests/lib/escertke_engine.h \
		selftests/host/escertke_certs.sh
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iuser/daemon \
		-DCERTS_SH='"$(CURDIR)/selftests/host/escertke_certs.sh"' \
		-o $@ $< user/daemon/escertke.c $(SSL_LIBS)
.PHONY: bench-escertke
bench-escertke: $(BUILD)/bench/escertke_bench
	$(BUILD)/bench/escertke_bench
