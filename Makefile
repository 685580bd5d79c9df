# outflow: logical decoding output plugin (JSON) and extension, built with PGXS.

MODULE_big = outflow
# The second plugin name: a tiny library that loads outflow with the wal2json
# format as its default, built and installed by PGXS's MODULES rules from
# decoder/alias/outflow_wal2json.c (found there through vpath).
MODULES = outflow_wal2json
vpath outflow_wal2json.c decoder/alias
EXTENSION = outflow
DATA = extension/outflow--0.1.sql extension/outflow--0.2.sql extension/outflow--0.3.sql
# Each update (0.1 to 0.2, 0.2 to 0.3): the hand-written changes of the older
# version's objects (update--A--B.sql), then B's definitions as CREATE OR
# REPLACE, made from outflow--B.sql itself (so the two cannot drift apart;
# sql/extension_upgrade.sql compares the result with a fresh install).
# outflow--0.1.sql and outflow--0.2.sql are frozen as released.
DATA_built = extension/outflow--0.1--0.2.sql extension/outflow--0.2--0.3.sql
PGFILEDESC = "outflow - stream committed changes as JSON"

DECODER_SRCS = $(wildcard decoder/*.cpp)
EXTENSION_SRCS = $(wildcard extension/*.cpp)
OBJS = $(DECODER_SRCS:.cpp=.o) $(EXTENSION_SRCS:.cpp=.o)

# pg_regress: one file per feature, all of sql/, on a private temporary server.
# Suites that need PostgreSQL 15 or later (row filters, column lists, FOR
# TABLES IN SCHEMA) are left out before 15, where compat_pre15 tests what
# applies there instead (and is left out from 15 on); to_jsonb needs 14
# (multiranges and numeric infinities in every row); FOR ALL TABLES EXCEPT 19;
# backfill uses column lists and row filters (13 and 14: TAP 007_backfill and 010_backfill_moved_rows cover it).
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

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)

# Isolation specs (specs/, expected/): DDL, ALTER PUBLICATION and REPLICA
# IDENTITY changes interleaved with writes while a slot is read, on a
# private temporary server. PGXS ships pg_isolation_regress from 14 on; on
# 13 there is none, and the specs are left out.
ISOLATION_ALL = $(sort $(notdir $(basename $(wildcard specs/*.spec))))
ifneq ($(wildcard $(dir $(PGXS))../test/isolation/pg_isolation_regress),)
ISOLATION = $(ISOLATION_ALL)
ISOLATION_OPTS = --temp-instance=./tmp_check_iso --temp-config=tests/regress.conf --inputdir=.
endif

# Perl TAP tests (PostgreSQL::Test::Cluster), kept in tests/tap/t with their
# helpers in tests/tap/lib; each starts its own clusters.
TAP_TESTS = 1
PROVE_TESTS = tests/tap/t/*.pl

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

extension/outflow--%.sql: extension/update--%.sql extension/or_replace.awk
	{ cat $<; awk -f extension/or_replace.awk extension/outflow--$(lastword $(subst --, ,$*)).sql; } > $@
extension/outflow--0.1--0.2.sql: extension/outflow--0.2.sql
extension/outflow--0.2--0.3.sql: extension/outflow--0.3.sql
-include $(OBJS:.o=.d)

# Server headers are not ours: compile them as system headers so that
# -Wextra speaks only about our own code.
override CPPFLAGS := $(patsubst -I$(includedir_server),-isystem $(includedir_server),$(CPPFLAGS))

EXTRA_CLEAN = tests/unit/unit_tests tests/tools/stream_check tests/regress.conf $(OBJS:.o=.d)

# The temporary servers (pg_regress, isolation, every TAP cluster through
# TEMP_CONFIG) need logical decoding, and the plugin allowed where the server
# knows output_plugin_libraries (15.19 and later). The TAP tests find their
# helpers in tests/tap/lib and the stream validator in $STREAM_CHECK.
tests/regress.conf: tests/regress.conf.in
	tests/lib/make_conf.sh $< > $@
tests/tools/stream_check: tests/tools/stream_check.cpp
	$(MAKE) -C tests/tools
installcheck: tests/regress.conf tests/tools/stream_check
installcheck: export TEMP_CONFIG = $(CURDIR)/tests/regress.conf
installcheck: export STREAM_CHECK = $(CURDIR)/tests/tools/stream_check
PG_PROVE_FLAGS += -I $(srcdir)/tests/tap/lib

.PHONY: unit bench check-all demo regress-suites isolation-specs wallcheck
# The pg_regress suites of this server's major (tests/valgrind/run.sh --all).
regress-suites:
	@echo $(REGRESS)
# The isolation specs this server runs (none where PGXS has no pg_isolation_regress).
isolation-specs:
	@echo $(ISOLATION)
unit:
	$(MAKE) -C tests/unit
# The C++/PostgreSQL wall, checked on the built objects (README).
wallcheck: all
	tests/wall_check.sh
check-all:
	tests/run_all.sh
demo:
	scripts/demo.sh

# The benchmark (not a test): installs this tree, then decodes workloads on a
# throwaway cluster, through SQL and through the replication protocol (--walsender,
# off in the quick run). Quick run: make bench BENCH_ARGS=--quick
bench: install
	bench/run.sh $(BENCH_ARGS)
