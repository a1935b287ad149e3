# keydesk — see README.md.  `make run` and `make test` are the two commands.
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc

CORE_PKGS := sqlite3 yaml-0.1 libcurl libfido2 libpcsclite libcrypto libcrypt \
             jansson libcbor libqrencode
TUI_PKGS  := ncursesw
WEB_PKGS  := libmicrohttpd
PKGCONF    = $(shell pkg-config $(1) $(2) 2>/dev/null)

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wmissing-prototypes \
           -Wstrict-prototypes -Wformat=2 -Werror
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
OPT     ?= -O2 -g
ifeq ($(SAN),1)
OPT     := -O1 -g $(SANFLAGS)
# The test build (what `make test` runs) may take its time from
# KEYDESK_FAKE_NOW; the -O2 build of `make run` and `make install` never does.
TESTDEFS := -DKD_TEST_CLOCK
endif
CFLAGS_ALL = -std=c11 $(OPT) $(WARN) \
             -I. $(filter-out -D_XOPEN_SOURCE=%,$(call PKGCONF,--cflags,$(CORE_PKGS) $(TUI_PKGS) $(WEB_PKGS))) \
             -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 $(TESTDEFS) $(CFLAGS)
LDFLAGS_ALL = $(OPT) $(LDFLAGS)
# libcurl is opened on first use (core/curl_shim.c), not linked.
CORE_LIBS = $(call PKGCONF,--libs,$(filter-out libcurl,$(CORE_PKGS))) -ldl -lpthread -lm
TUI_LIBS  = $(call PKGCONF,--libs,$(TUI_PKGS) $(WEB_PKGS))

CORE_SRC := $(wildcard core/*.c config/*.c)
APP_SRC  := $(wildcard tui/*.c screens/*.c cli/*.c web/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
VCARD_SRC := $(wildcard tests/vcard/*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)
HW_SRC   := $(wildcard tests/hw/*.c)

# The portal's script and style sheet, built into the binary.
WEB_ASSETS := web/portal.js web/portal.css
WEB_GEN  := $(BUILD)/gen/web_assets.c

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
APP_OBJ  := $(APP_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/web_assets.o
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
HW_BIN   := $(HW_SRC:tests/hw/%.c=$(BUILD)/tests/hw_%)
CORE_LIB := $(BUILD)/libkdcore.a
KEYDESK  := $(BUILD)/keydesk
VCARD    := $(BUILD)/tests/vcard

.PHONY: all run test check-build tests-bin bench install uninstall clean deps-run deps-test fuzz
all: $(KEYDESK)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(WEB_GEN): $(WEB_ASSETS) mk/embed.sh
	@mkdir -p $(dir $@)
	sh mk/embed.sh $(WEB_ASSETS) >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/web_assets.o: $(WEB_GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(CORE_LIB): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(KEYDESK): $(APP_OBJ) $(CORE_LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(APP_OBJ) $(CORE_LIB) $(TUI_LIBS) $(CORE_LIBS)

# Unit tests link against the core library alone: a curses call in core/
# or config/ fails to link here.
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/unit/tap.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CORE_LIBS)

$(BUILD)/obj/tests/unit/tap.o: tests/lib/tap.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(VCARD): $(VCARD_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lcrypto -lcbor

# Hardware test drivers (run by tests/e2e/*.sh with pcscd and the card up).
$(BUILD)/tests/hw_%: $(BUILD)/obj/tests/hw/%.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CORE_LIBS)

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CORE_LIBS) $(call PKGCONF,--libs,$(WEB_PKGS)) -lutil

tests-bin: $(KEYDESK) $(UNIT_BIN) $(HW_BIN) $(if $(VCARD_SRC),$(VCARD))

deps-run:
	@sh mk/deps.sh run
deps-test:
	@sh mk/deps.sh test

run: deps-run
	@$(MAKE) --no-print-directory all
	./$(KEYDESK) $(ARGS)

# The whole suite runs against an AddressSanitizer + UBSan build.
test: deps-test
	@$(MAKE) --no-print-directory all	# what `make run` builds (-O2)
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 tests-bin
	@sh tests/run.sh build/san

bench: deps-test
	@$(MAKE) --no-print-directory all $(BENCH_BIN) $(VCARD) \
	    $(BUILD)/tests/hw_pcsc_probe $(BUILD)/tests/hw_mail_drive
	@sh tests/bench/run.sh $(BUILD)

install: $(KEYDESK)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/doc/keydesk
	install -m 0755 $(KEYDESK) $(DESTDIR)$(PREFIX)/bin/keydesk
	install -m 0644 config/keydesk.example.yaml README.md $(DESTDIR)$(PREFIX)/share/doc/keydesk/
	# The man page and completion come from the command table itself.
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	$(KEYDESK) help --man >$(DESTDIR)$(PREFIX)/share/man/man1/keydesk.1
	$(KEYDESK) help --completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/keydesk

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/keydesk.1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions/keydesk
	rm -f $(DESTDIR)$(PREFIX)/bin/keydesk
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/keydesk

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# --- fuzz: libFuzzer harnesses for the parsers of what a card, a browser or
# a file hands keydesk (core/apdu.c, core/fido_cose.c, core/webauthn*.c,
# core/csv.c, the YAML loader in config/).  `make
# fuzz` builds $(BUILD)/fuzz/fuzz_*; how to run them: tests/fuzz/README.
# Needs clang (libFuzzer); not part of `make test`.
FUZZ_CC   ?= clang
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_DEPS := core/apdu.c core/fido_cose.c core/util.c core/webauthn.c \
             core/webauthn_att.c core/webauthn_json.c core/csv.c \
             $(wildcard config/*.c) core/model.c
FUZZ_HDRS := core/apdu.h core/fido.h core/kd.h core/webauthn.h \
             core/webauthn_int.h core/csv.h $(wildcard config/*.h)
FUZZ_LIBS := -lfido2 -lcbor -ljansson -lcrypto -lyaml
fuzz: $(FUZZ_BIN)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_DEPS) $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=undefined -I. -D_DEFAULT_SOURCE \
	    -D_XOPEN_SOURCE=700 -o $@ $< $(FUZZ_DEPS) $(FUZZ_LIBS)
