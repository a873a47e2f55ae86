# harmony — one plain GNU Makefile.
#   make run    install what is missing, build, create the demo database, serve
#   make test   install what is missing, then unit, end-to-end, ThreadSanitizer, browser and fuzz tests
#               (the unit tests beside a throwaway PostgreSQL: scripts/with-pg; the end-to-end
#               suite twice, side by side: on SQLite and on such a PostgreSQL, scripts/run-e2e)
#   make asan   sanitizer build (ASan + UBSan) in build/san/
#   make fuzz   libFuzzer targets in build/fuzz/
#   make bench  the benchmarks in bench/ (slow; not part of make test)

B       ?= build
CC      ?= cc
CLANG   ?= clang
PKGS    := libmicrohttpd sqlite3 libpq jansson libcmark-gfm libsodium icu-uc icu-i18n liboath libqrencode \
           pangocairo libxml-2.0 uuid
# Opened with dlopen on first use (src/media/gd_load.c, src/mail/curl_load.c),
# so every start skips loading them: their headers only, never linked.
DLOPEN_PKGS := gdlib libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(DLOPEN_PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lzxcvbn -lm -lpthread

WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wno-missing-field-initializers
HARDEN  := -fstack-protector-strong -D_FORTIFY_SOURCE=2
# -ffp-contract=off: no fused multiply-add, so analysis results are
# byte-identical on every machine.
OPT     ?= -O2 -g -ffp-contract=off
CPPFLAGS += -D_DEFAULT_SOURCE -D_GNU_SOURCE -DHM_HAVE_GD -Isrc -I$(B)/gen
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CPPFLAGS += -DHM_VERSION=\"$(VERSION)\"

SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=undefined -ffp-contract=off
# ThreadSanitizer: the server under concurrent requests (make tsan).
TSAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=thread -ffp-contract=off
# clang's libFuzzer; the targets are linked with -fsanitize=fuzzer.
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -ffp-contract=off

ALL_SRC  := $(shell find src -name '*.c' | sort)
LIB_SRC  := $(filter-out src/main.c,$(ALL_SRC))
EMBED_IN := $(shell find templates assets migrations po demo src/features/*/templates src/features/*/demo.sql -type f 2>/dev/null | sort)
GEN      := $(B)/gen/embedded.c

OBJ      := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRC)) $(B)/obj/embedded.o
SAN_OBJ  := $(patsubst %.c,$(B)/san/obj/%.o,$(LIB_SRC)) $(B)/san/obj/embedded.o
FUZZ_OBJ := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(LIB_SRC)) $(B)/fuzz/obj/embedded.o
TSAN_OBJ := $(patsubst %.c,$(B)/tsan/obj/%.o,$(LIB_SRC)) $(B)/tsan/obj/embedded.o

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/san/%,$(UNIT_SRC))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 8

# Every build uses all the cores (a -j given on the command line wins):
# the four flavours (normal, sanitizer, ThreadSanitizer, fuzz) are most
# of make test's first minutes. Sub-makes share the top one's jobs.
ifeq ($(MAKELEVEL),0)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

# Quiet by default ("CC src/site/render.c"); make V=1 prints whole commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

.PHONY: all run test unit e2e browser i18n fuzz fuzz-run asan tsan bench deps test-deps clean format

all: harmony

harmony: $(B)/harmony
	cp $(B)/harmony harmony

$(B)/harmony: $(OBJ) $(B)/obj/src/main.o
	$(call say,LD,$@)
	$(Q)$(CC) $(OPT) -o $@ $^ $(PKG_LIBS)

# ---- objects: one rule for the three flavours (normal, sanitizer, fuzz),
# warnings as errors everywhere, the generated embedded.c included.
#   $(1) folder of the flavour, $(2) compiler, $(3) its flags, $(4) what `say` prints
define object_rules
$(1)/obj/%.o: %.c Makefile
	@mkdir -p $$(dir $$@)
	$$(call say,$(4),$$<)
	$$(Q)$(2) $$(WARN) $(3) $$(CPPFLAGS) $$(PKG_CFLAGS) -MMD -MP -c -o $$@ $$<

$(1)/obj/embedded.o: $$(GEN) Makefile
	@mkdir -p $$(dir $$@)
	$$(call say,$(4),$$<)
	$$(Q)$(2) $$(WARN) $(3) $$(CPPFLAGS) -c -o $$@ $$<
endef

$(eval $(call object_rules,$(B),$$(CC),$$(HARDEN) $$(OPT),CC))
$(eval $(call object_rules,$(B)/san,$$(CC),$$(SAN_FLAGS),CC))
$(eval $(call object_rules,$(B)/fuzz,$$(CLANG),$$(FUZZ_FLAGS),CLANG))
$(eval $(call object_rules,$(B)/tsan,$$(CC),$$(TSAN_FLAGS),CC))

# Objects are only prerequisites of pattern rules (the unit and fuzz
# binaries): without this make would delete them as intermediate files.
.SECONDARY: $(OBJ) $(SAN_OBJ) $(FUZZ_OBJ) $(TSAN_OBJ)

# The templates' translatable texts (scripts/po-update).
$(B)/po-templates: tools/po-templates.c $(OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(WARN) $(OPT) $(CPPFLAGS) $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/embed: tools/embed.c
	@mkdir -p $(B)
	$(call say,CC,$<)
	$(Q)$(CC) $(WARN) -O2 -o $@ $<

# The list of files embedded, rewritten only when it changes: a file added,
# removed or renamed (git mv keeps its old time) rebuilds embedded.c.
EMBED_LIST := $(B)/gen/embedded.list
$(shell mkdir -p $(B)/gen && { echo '$(EMBED_IN)' | cmp -s - $(EMBED_LIST) || echo '$(EMBED_IN)' > $(EMBED_LIST); })

$(GEN): $(B)/embed $(EMBED_IN) $(EMBED_LIST) Makefile
	@mkdir -p $(dir $@)
	$(call say,EMBED,$@)
	$(Q)$(B)/embed $@ $(EMBED_IN)

# ---- sanitizer build: unit tests and the end-to-end server run under it
asan: $(B)/san/harmony

$(B)/san/harmony: $(SAN_OBJ) $(B)/san/obj/src/main.o
	$(call say,LD,$@)
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/san/test_%: tests/unit/test_%.c $(SAN_OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(WARN) -Wno-missing-prototypes $(SAN_FLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -Itests/unit \
		-DHM_SHARED_DEFAULT='"$(abspath ../shared)"' -DHM_SOURCE_DIR='"$(abspath .)"' \
		-o $@ $< $(SAN_OBJ) $(PKG_LIBS) -lcmocka

# ---- ThreadSanitizer build: the end-to-end tests that load the server
# with concurrent requests run against it
$(B)/tsan/harmony: $(TSAN_OBJ) $(B)/tsan/obj/src/main.o
	$(call say,LD,$@)
	$(Q)$(CC) -fsanitize=thread -o $@ $^ $(PKG_LIBS)

# The unit tests that run threads: the server, the scheduler, the caches
# of catalogues, templates and slugs read from many threads, the store
# (two writers; PostgreSQL's listener thread, beside scripts/with-pg), and
# the analysis passes split over the cores, and PDFs rendered on several
# threads (each with its own pango font map).
TSAN_UNIT := $(addprefix $(B)/tsan/,test_server test_jobs test_i18n test_template test_text test_db \
	test_analysis_scale test_pdf)

$(B)/tsan/test_%: tests/unit/test_%.c $(TSAN_OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(WARN) -Wno-missing-prototypes $(TSAN_FLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -Itests/unit \
		-DHM_SHARED_DEFAULT='"$(abspath ../shared)"' -DHM_SOURCE_DIR='"$(abspath .)"' \
		-o $@ $< $(TSAN_OBJ) $(PKG_LIBS) -lcmocka

tsan: $(B)/tsan/harmony $(TSAN_UNIT)
	UNIT_NAME=tsan-unit TSAN_OPTIONS=halt_on_error=1:exitcode=88 scripts/with-pg scripts/run-unit $(TSAN_UNIT)
	B=$(B) scripts/run-tsan

# ---- fuzz targets (clang libFuzzer)
fuzz: $(FUZZ_BIN)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(call say,LD,$@)
	$(Q)$(CLANG) $(WARN) -Wno-missing-prototypes -O1 -g -fsanitize=fuzzer,address,undefined \
		-ffp-contract=off $(CPPFLAGS) $(PKG_CFLAGS) -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS)

fuzz-run: fuzz
	scripts/fuzz-run $(FUZZ_SECONDS) $(FUZZ_BIN)

# ---- the two commands
deps:
	scripts/deps

test-deps:
	scripts/deps --test

run: deps
	$(MAKE) harmony
	test -f harmony.db || ./harmony demo --db harmony.db
	./harmony init --db harmony.db # a database from an older harmony is migrated
	./harmony serve --db harmony.db --listen 127.0.0.1:8080

# The six catalogues are complete and current (scripts/po-update --check).
i18n: $(B)/po-templates
	+B=$(B) scripts/po-update --check

unit: $(UNIT_BIN)
	scripts/with-pg scripts/run-unit $(UNIT_BIN)

# Beside a throwaway PostgreSQL (HM_TEST_PG): the whole suite runs on it as
# well as on SQLite, side by side (scripts/run-e2e), and db-copy copies into
# and out of it.
e2e: harmony $(B)/san/harmony
	B=$(B) scripts/with-pg scripts/run-e2e

browser: harmony
	B=$(B) scripts/run-browser

# Every suite runs even when an earlier one fails, so one run shows all
# failures; the exit status is non-zero if any failed.
test: test-deps
	@rc=0; times=""; \
	for suite in i18n unit e2e tsan browser fuzz-run; do \
		t=$$(date +%s); \
		$(MAKE) $$suite || rc=1; \
		times="$$times $$suite $$(( $$(date +%s) - t )) s,"; \
	done; \
	echo "make test: each suite with its build:$${times%,}"; \
	if [ $$rc -eq 0 ]; then echo "make test: all suites passed"; else echo "make test: FAILED"; fi; \
	exit $$rc

bench: harmony
	bench/http
	bench/votes
	bench/analyze
	bench/groups

format:
	clang-format -i $(ALL_SRC) $(UNIT_SRC) $(FUZZ_SRC)

clean:
	rm -rf build harmony

-include $(shell find $(B) -name '*.d' 2>/dev/null)
