# Top-level entry points for building, testing, benchmarking and running hogo.
# Build layer: wraps CMake. Every target first makes sure the Debian packages are present
# (scripts/install-deps.sh), so each works as the first command on a fresh machine.

PREFIX ?= /usr/local
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
BUILD  := build
ASAN   := build-asan

PKGS := yajl libfyaml libsodium sqlite3 libpq cmocka libmicrohttpd libutf8proc

.PHONY: all deps check check-normal check-asan bench run install clean format

all: deps
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@if ! command -v cmake >/dev/null || ! command -v pkg-config >/dev/null || \
	    ! pkg-config --exists $(PKGS) || ! command -v clang-14 >/dev/null || \
	    ! command -v mecab-config >/dev/null || ! test -f /usr/include/glpk.h || ! test -x /usr/lib/postgresql/15/bin/postgres || \
	    ! command -v wrk >/dev/null || ! command -v curl >/dev/null || ! command -v npm >/dev/null || \
	    ! test -d tests/openapi/node_modules/@seriousme/openapi-schema-validator || \
	    ! test -x /usr/bin/chromium || ! test -f /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf || \
	    ! command -v openssl >/dev/null || ! test -f tests/browser/node_modules/playwright-core/package.json || \
	    ! test -f tests/browser/node_modules/axe-core/package.json || \
	    ! python3 -c 'import yaml' 2>/dev/null; then \
		bash scripts/install-deps.sh; \
	fi

check: check-normal check-asan

check-normal: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

check-asan: deps
	@test -f $(ASAN)/CMakeCache.txt || cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DHOGO_SANITIZE=ON >/dev/null
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

bench: all
	@test -f $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) --target benchmarks -j $(JOBS)
	bash bench/run.sh

run: all
	bash scripts/tour.sh
	bash scripts/web-demo.sh

install: all
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cmake --install $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz
