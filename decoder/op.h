/*
 * op.h: the operations of the stream (insert, update, delete, read,
 * truncate, message) as one enum, and every conversion of an operation in
 * one place: the option bit of "actions", the row-filter action, the name
 * the native format and wal2json format 1 write, and the letter of wal2json
 * format 2. Pure C++ (no PostgreSQL headers): the options parser uses it.
 */
#ifndef OUTFLOW_OP_H
#define OUTFLOW_OP_H

#include <cstdint>
#include <string_view>

namespace outflow {

/* Bits of Options::actions: which operations the session shows. */
enum ActionBit : uint8_t
{
	kActionInsert = 1,
	kActionUpdate = 2,
	kActionDelete = 4,
	kActionTruncate = 8,
	kActionAll = 15
};

/* An operation. Read is a row of outflow.backfill() or outflow.snapshot():
 * an insert for every rule (actions, row filters), shown as "read". */
enum class Op : uint8_t
{
	Insert,
	Update,
	Delete,
	Read,
	Truncate,
	Message
};

/* Row filters are per action: insert, update, delete (row_filter.h). */
constexpr int kRowFilterActions = 3;

/* Everything an operation converts to, by Op (the one table of conversions). */
struct OpTraits
{
	std::string_view name; /* "op" of the native format, "kind" of wal2json format 1 */
	char letter;		   /* "action" of wal2json format 2 */
	uint8_t action_bit;	   /* the "actions" bit that lets it through (messages: 0, never filtered so) */
	int8_t row_filter;	   /* its row-filter action, -1 if row filters do not apply */
};

constexpr OpTraits kOpTraits[] = {
	/* Insert */ {"insert", 'I', kActionInsert, 0},
	/* Update */ {"update", 'U', kActionUpdate, 1},
	/* Delete */ {"delete", 'D', kActionDelete, 2},
	/* Read */ {"read", 'R', kActionInsert, 0}, /* an insert for actions and row filters */
	/* Truncate */ {"truncate", 'T', kActionTruncate, -1},
	/* Message */ {"message", 'M', 0, -1},
};

constexpr const OpTraits &
op_traits(Op op)
{
	return kOpTraits[static_cast<int>(op)];
}

constexpr uint8_t
action_bit(Op op)
{
	return op_traits(op).action_bit;
}

/* The row-filter action of a row operation (Insert, Update, Delete, Read). */
constexpr int
row_filter_index(Op op)
{
	return op_traits(op).row_filter;
}

constexpr std::string_view
op_name(Op op)
{
	return op_traits(op).name;
}

constexpr char
op_letter(Op op)
{
	return op_traits(op).letter;
}

/* The "actions" bit named by an option item ("insert", ...), or 0 if none is. */
constexpr uint8_t
action_bit_named(std::string_view name)
{
	for (Op op : {Op::Insert, Op::Update, Op::Delete, Op::Truncate})
		if (op_name(op) == name)
			return action_bit(op);
	return 0;
}

} // namespace outflow

#endif
