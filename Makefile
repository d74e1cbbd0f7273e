# SPDX-License-Identifier: MIT
# rapport: the only build file. `make` builds build/librapport.a, the
# binaries and the benchmark programs of bench/ (so none of them is ever
# older than the library); `make run` and `make test` first install missing
# Debian packages.

CC ?= cc
CFLAGS ?= -O2 -g
# Link-time optimisation: the library's objects carry both GCC's
# intermediate code and plain code (fat), so the indexer, search and server
# programs and the benchmark programs are optimised across modules at link
# time (the tokenizer inlines into the analyzer, for one; about 5% off a
# bulk build, docs/benchmarks.md), while the tests link the plain code and
# stay quick to build. `make LTO=` builds without it, as the sanitizer and
# coverage builds do.
LTO ?= -flto=auto -ffat-lto-objects
PKG_CONFIG ?= pkg-config
B ?= build

PKGS = lmdb libmicrohttpd libcjson libutf8proc libisal zlib
WARN = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow
RP_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -MMD -MP -Iinclude \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lstemmer \
	-lstreamvbyte -lroaring -lpthread -lm

LIB_SRC = $(wildcard src/*.c)
LIB_OBJ = $(LIB_SRC:src/%.c=$(B)/src/%.o)
TEST_SRC = $(wildcard tests/test_*.c)
TEST_BIN = $(TEST_SRC:tests/%.c=$(B)/tests/%)
BENCH_SRC = $(wildcard bench/bench_*.c)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(B)/bench/%)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
BINS = $(B)/rapport-index $(B)/rapport-search $(B)/rapport-server $(B)/rp-eval \
	$(B)/rp-typos

DB ?= data/corpus.db
LISTEN ?= 127.0.0.1:8080

# Keep intermediate objects: no "rm" lines after the test summary.
.SECONDARY:

.PHONY: all deps browser-deps test check asan ubsan tsan coverage bench bench-peers eval \
	fuzz fuzz-replay reliability run clean
all: $(B)/librapport.a $(BINS) $(BENCH_BIN)

deps:
	@scripts/deps.sh

$(B)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(RP_CFLAGS) $(CFLAGS) $(LTO) -c $< -o $@

$(B)/librapport.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(RP_CFLAGS) $(CFLAGS) -c $< -o $@

$(B)/rapport-index: $(B)/indexer/main.o $(B)/librapport.a
	$(CC) $(CFLAGS) $(LTO) $(LDFLAGS) -o $@ $^ $(LIBS)
$(B)/rapport-search: $(B)/indexer/search.o $(B)/librapport.a
	$(CC) $(CFLAGS) $(LTO) $(LDFLAGS) -o $@ $^ $(LIBS)
$(B)/rapport-server: $(B)/server/main.o $(B)/server/http.o $(B)/server/api.o \
		$(B)/librapport.a
	$(CC) $(CFLAGS) $(LTO) $(LDFLAGS) -o $@ $^ $(LIBS)
$(B)/rp-eval: $(B)/bench/eval.o $(B)/librapport.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)
$(B)/rp-typos: $(B)/bench/typos.o $(B)/librapport.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# test_http calls the API layer directly, without a network.
$(B)/tests/test_http: $(B)/tests/test_http.o $(B)/server/api.o $(B)/librapport.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)
# test_failalloc fails the Nth allocation: every malloc of the library,
# the API layer and the test goes through tests/failalloc.c.
FAILALLOC_WRAP = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free \
	-Wl,--wrap=strdup,--wrap=strndup
$(B)/tests/test_failalloc: $(B)/tests/test_failalloc.o $(B)/tests/failalloc.o \
		$(B)/server/api.o $(B)/librapport.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(FAILALLOC_WRAP) -o $@ $^ $(LIBS)
$(B)/tests/%: $(B)/tests/%.o $(B)/librapport.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)
$(B)/bench/bench_api: $(B)/bench/bench_api.o $(B)/bench/harness.o \
		$(B)/server/api.o $(B)/librapport.a
	$(CC) $(CFLAGS) $(LTO) $(LDFLAGS) -o $@ $^ $(LIBS)
$(B)/bench/%: $(B)/bench/%.o $(B)/bench/harness.o $(B)/librapport.a
	$(CC) $(CFLAGS) $(LTO) $(LDFLAGS) -o $@ $^ $(LIBS)

# The peers of `make bench` (bench/peers/): SQLite FTS5 and Xapian. Only
# `make bench` builds them, after scripts/bench.sh installed their
# libraries; `make all` and `make test` never need sqlite3 or xapian.
CXX ?= c++
RP_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror -Wshadow -MMD -MP
PEERS = $(B)/bench/peers/fts5 $(B)/bench/peers/xapian
$(B)/bench/peers/fts5: $(B)/bench/peers/fts5.o $(B)/bench/harness.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lsqlite3 $(LIBS)
$(B)/bench/peers/xapian.o: bench/peers/xapian.cc
	@mkdir -p $(dir $@)
	$(CXX) $(RP_CXXFLAGS) $(CFLAGS) $$($(PKG_CONFIG) --cflags xapian-core) \
		-c $< -o $@
$(B)/bench/peers/xapian: $(B)/bench/peers/xapian.o $(B)/bench/harness.o
	$(CXX) $(CFLAGS) $(LDFLAGS) -o $@ $^ \
		$$($(PKG_CONFIG) --libs xapian-core) $(LIBS)
$(B)/fuzz-replay/fuzz_http: tests/fuzz/fuzz_http.c tests/fuzz/replay.c \
		$(B)/server/api.o $(B)/librapport.a
	@mkdir -p $(dir $@)
	$(CC) $(RP_CFLAGS) $(CFLAGS) -o $@ tests/fuzz/fuzz_http.c \
		tests/fuzz/replay.c $(B)/server/api.o $(B)/librapport.a $(LIBS)
$(B)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(B)/librapport.a
	@mkdir -p $(dir $@)
	$(CC) $(RP_CFLAGS) $(CFLAGS) -o $@ tests/fuzz/$*.c tests/fuzz/replay.c \
		$(B)/librapport.a $(LIBS)

# The whole suite: unit tests, end-to-end tests and the fuzz corpus replay.
FUZZ_REPLAY = $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz-replay/%)
check: all $(TEST_BIN) $(FUZZ_REPLAY)
	@RP_BUILD=$(B) tests/run.sh $(TEST_BIN) $(FUZZ_REPLAY) tests/browser/run.sh

# The full crash test: 1,000 ingest batches, each cut by SIGKILL (about
# two minutes; make test runs 30). RP_CRASH_SEED picks the random seed.
CRASH_BATCHES ?= 1000
reliability: all $(B)/tests/test_reliability
	@RP_BUILD=$(B) RP_CRASH_BATCHES=$(CRASH_BATCHES) \
		$(B)/tests/test_reliability test_crash_atomicity

# Chromium, Node.js and the npm packages of tests/browser (make test only).
# A failed install fails make test: the browser tests are part of it.
browser-deps: deps
	@scripts/deps_browser.sh

test: deps browser-deps
	@$(MAKE) --no-print-directory check

asan: deps
	@$(MAKE) --no-print-directory check B=build/asan LTO= \
		CFLAGS="-O1 -g -fsanitize=address -fno-omit-frame-pointer -fno-sanitize-recover=all"
ubsan: deps
	@$(MAKE) --no-print-directory check B=build/ubsan LTO= \
		CFLAGS="-O1 -g -fsanitize=undefined -fno-sanitize-recover=all"
tsan: deps
	@$(MAKE) --no-print-directory check B=build/tsan LTO= \
		CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread"
coverage: deps
	@# Counts from an earlier build would not match the new objects.
	@find build/coverage -name '*.gcda' -delete 2>/dev/null || true
	@$(MAKE) --no-print-directory check B=build/coverage LTO= \
		CFLAGS="-O0 -g --coverage" LDFLAGS="--coverage"
	@gcov -o build/coverage/src src/*.c | \
		awk '/^File .src\//{f=$$2} /^Lines executed/{print (f ? f : "total"), $$2, $$4; f=""}'
	@mv *.gcov build/coverage/ && echo "gcov files in build/coverage/"

# scripts/bench.sh installs the peers' libraries, then builds them with
# `make bench-peers`.
bench: deps all $(BENCH_BIN)
	@scripts/bench.sh $(B)
bench-peers: $(PEERS)

eval: deps all
	@scripts/eval.sh $(B)
	@scripts/eval_typos.sh $(B)
	@scripts/eval_match.sh $(B)

# Builds every fuzz target with clang and runs each for FUZZ_SECONDS, one
# after another, from the committed and shared seeds (scripts/fuzz.sh).
FUZZ_SECONDS ?= 60
fuzz: deps
	@scripts/deps.sh --extra clang libclang-rt-14-dev
	@mkdir -p $(B)/fuzz
	@for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		echo "clang $$n"; \
		clang -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -Iinclude \
			-fsanitize=fuzzer,address,undefined \
			-fno-sanitize-recover=all $$f src/*.c server/api.c \
			-o $(B)/fuzz/$$n $(LIBS) || exit 1; \
	done
	@scripts/fuzz.sh $(B) $(FUZZ_SECONDS)

# An index written by an older storage format cannot be opened (the error
# says to rebuild): run keeps it aside, named with the time, and rebuilds
# the demo index from corpus/.
run: deps all
	@mkdir -p $(dir $(DB))
	@if [ -e $(DB)/data.mdb ] && $(B)/rapport-search --db $(DB) --limit 1 \
	    grief 2>&1 >/dev/null | grep -q 'index format'; then \
	  old=$(DB).old-$$(date +%Y%m%d-%H%M%S); mv $(DB) $$old; \
	  echo "$(DB) was written by an older rapport: kept as $$old," \
	    "rebuilding it from corpus/"; \
	fi
	$(B)/rapport-index --db $(DB) --vocabulary corpus/vocabulary.json corpus/docs/
	@echo "open http://$(LISTEN)/ for the demo site, or try: curl 'http://$(LISTEN)/v1/search?q=grief+after+a+loss&highlight=1'"
	$(B)/rapport-server --db $(DB) --listen $(LISTEN) --web web \
		--crisis corpus/crisis.json

clean:
	rm -rf build

-include $(shell find $(B) -name '*.d' 2>/dev/null)
