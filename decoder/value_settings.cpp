/*
 * value_settings.cpp: the native style's fixed settings (TimeZone 'UTC',
 * DateStyle 'ISO, YMD', IntervalStyle 'postgres', extra_float_digits 1,
 * bytea_output 'hex') under which output and cast functions run when their
 * text could depend on the consumer's settings (the wal2json style runs
 * them under the consumer's own). Pushed on the first such value of a transaction,
 * popped by release_fixed_settings.
 */
#include "session.h"
#include "value_impl.h"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/guc.h"
}


namespace outflow {
namespace render {

namespace {

/*
 * The (sub)transaction in which the fixed settings were pushed. Its abort
 * pops them without telling us (PostgreSQL restores the GUC stack), so a
 * level recorded in another transaction is stale and must not be popped.
 * Replaying each decoded transaction runs in a new transaction (walsender)
 * or a new internal subtransaction (SQL functions), so the pair differs.
 */
struct FixedSettingsOwner
{
	const Session *session;
	LocalTransactionId lxid;
	SubTransactionId subxid;
};

FixedSettingsOwner fixed_owner;

/* Whether the pushed settings belong to this session and (sub)transaction. */
bool
fixed_settings_current(const Session &session)
{
	return fixed_owner.session == &session && fixed_owner.lxid == OUTFLOW_MY_LXID &&
		   fixed_owner.subxid == GetCurrentSubTransactionId();
}

} // namespace

/* Pushes the fixed settings, once per transaction, on the first value needing them. */
void
ensure_fixed_settings(Session &session)
{
	if (session.fixed_settings_level != 0)
	{
		if (likely(fixed_settings_current(session)))
			return;
		session.fixed_settings_level = 0; /* already popped by an abort */
	}

	fixed_owner.session = &session;
	fixed_owner.lxid = OUTFLOW_MY_LXID;
	fixed_owner.subxid = GetCurrentSubTransactionId();
	session.fixed_settings_level = NewGUCNestLevel();
	(void) set_config_option("TimeZone", "UTC", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("DateStyle", "ISO, YMD", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
							 false);
	(void) set_config_option("IntervalStyle", "postgres", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
							 0, false);
	(void) set_config_option("extra_float_digits", "1", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
							 false);
	(void) set_config_option("bytea_output", "hex", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
							 false);
}

} // namespace render

/* Pops the forced GUC settings, if a value needed them in this transaction. */
void
release_fixed_settings(Session &session)
{
	if (session.fixed_settings_level == 0)
		return;
	int level = session.fixed_settings_level;

	session.fixed_settings_level = 0;
	/* Pop only a level pushed in this (sub)transaction: an abort since then
	 * has already restored the settings and reused the level number. */
	if (render::fixed_settings_current(session))
		AtEOXact_GUC(true, level);
	render::fixed_owner.session = nullptr;
}

} // namespace outflow
