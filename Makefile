# outflow: logical decoding output plugin (JSON) and extension, built with PGXS.

MODULE_big = outflow
EXTENSION = outflow
DATA = extension/outflow--0.1.sql
PGFILEDESC = "outflow - stream committed changes as JSON"

DECODER_SRCS = $(wildcard decoder/*.cpp)
EXTENSION_SRCS = $(wildcard extension/*.cpp)
OBJS = $(DECODER_SRCS:.cpp=.o) $(EXTENSION_SRCS:.cpp=.o)

# pg_regress: one file per feature, all of sql/, on a private temporary server.
# Suites that need PostgreSQL 15 or later (row filters, column lists, FOR
# TABLES IN SCHEMA) are left out before 15, where compat_pre15 tests what
# applies there instead (and is left out from 15 on); to_jsonb needs 14
# (multiranges and numeric infinities in every row); FOR ALL TABLES EXCEPT 19;
# backfill uses column lists and row filters (13: TAP 007_backfill covers it).
REGRESS_ALL = $(sort $(notdir $(basename $(wildcard sql/*.sql))))
REGRESS_PG14 = to_jsonb
REGRESS_PG15 = api_publish api_slots api_snapshot backfill publication_alter publication_columns \
	publication_membership publication_partitions publication_pgoutput publication_row_filters \
	streaming twophase
REGRESS_PG18 = generated_columns
REGRESS_PG19 = api_publish_except
REGRESS_PRE15 = compat_pre15
REGRESS_SKIP = $(if $(filter 13,$(MAJORVERSION)),$(REGRESS_PG14)) \
	$(if $(filter 13 14 15 16 17,$(MAJORVERSION)),$(REGRESS_PG18)) \
	$(if $(filter 13 14 15 16 17 18,$(MAJORVERSION)),$(REGRESS_PG19)) \
	$(if $(filter 13 14,$(MAJORVERSION)),$(REGRESS_PG15),$(REGRESS_PRE15))
REGRESS = $(filter-out $(REGRESS_SKIP),$(REGRESS_ALL))
REGRESS_OPTS = --temp-instance=./tmp_check --temp-config=tests/regress.conf --inputdir=. --load-extension=outflow
NO_INSTALLCHECK_TEMP =

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)

# No LLVM bitcode: our C++ needs flags the bitcode rule would not see.
override with_llvm = no

PG_CXXFLAGS += -std=c++17 -Wall -Wextra -Wno-register
# Header dependencies (decoder/*.d): a changed header rebuilds every object
# that includes it, so no stale object with an old struct layout gets linked.
PG_CXXFLAGS += -MMD -MP
# make WERROR=1: warnings in our own code fail the build (tests and CI).
ifdef WERROR
PG_CXXFLAGS += -Werror
endif
SHLIB_LINK += -lstdc++

include $(PGXS)
-include $(OBJS:.o=.d)

# Server headers are not ours: compile them as system headers so that
# -Wextra speaks only about our own code.
override CPPFLAGS := $(patsubst -I$(includedir_server),-isystem $(includedir_server),$(CPPFLAGS))

# The second plugin name: a tiny library that loads outflow with the
# wal2json format as its default.
ALIAS = outflow_wal2json$(DLSUFFIX)
all: $(ALIAS)
$(ALIAS): decoder/alias/outflow_wal2json.c
	$(CC) $(CFLAGS) $(CFLAGS_SL) $(CPPFLAGS) -shared -o $@ $< $(LDFLAGS_SL)
install: install-alias
install-alias: $(ALIAS)
	$(INSTALL_SHLIB) $(ALIAS) '$(DESTDIR)$(pkglibdir)/$(ALIAS)'
uninstall: uninstall-alias
uninstall-alias:
	rm -f '$(DESTDIR)$(pkglibdir)/$(ALIAS)'
EXTRA_CLEAN = $(ALIAS) tests/unit/unit_tests $(OBJS:.o=.d)

# The temporary regression server needs the plugin allowed where the server
# knows output_plugin_libraries (15.19 and later).
tests/regress.conf: tests/regress.conf.in
	tests/lib/make_conf.sh $< > $@
installcheck: tests/regress.conf

.PHONY: unit bench check-all demo regress-suites
# The pg_regress suites of this server's major (tests/valgrind/run.sh --all).
regress-suites:
	@echo $(REGRESS)
unit:
	$(MAKE) -C tests/unit
check-all:
	tests/run_all.sh
demo:
	scripts/demo.sh

# The benchmark (not a test): installs this tree, then decodes workloads on a
# throwaway cluster. Quick run: make bench BENCH_ARGS=--quick
bench: install
	bench/run.sh $(BENCH_ARGS)
