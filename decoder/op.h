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

/* The "actions" bit that lets op through (messages are not filtered by it: 0). */
constexpr uint8_t
action_bit(Op op)
{
	switch (op)
	{
		case Op::Insert:
		case Op::Read:
			return kActionInsert;
		case Op::Update:
			return kActionUpdate;
		case Op::Delete:
			return kActionDelete;
		case Op::Truncate:
			return kActionTruncate;
		default:
			return 0;
	}
}

/* Row filters are per action: insert, update, delete (row_filter.h). */
constexpr int kRowFilterActions = 3;

/* The row-filter action of a row operation (Insert, Update, Delete, Read). */
constexpr int
row_filter_index(Op op)
{
	return op == Op::Update ? 1 : op == Op::Delete ? 2 : 0;
}

/* The operation's name: "op" of the native format, "kind" of wal2json format 1. */
constexpr std::string_view
op_name(Op op)
{
	switch (op)
	{
		case Op::Insert:
			return "insert";
		case Op::Update:
			return "update";
		case Op::Delete:
			return "delete";
		case Op::Read:
			return "read";
		case Op::Truncate:
			return "truncate";
		default:
			return "message";
	}
}

/* The "action" letter of wal2json format 2. */
constexpr char
op_letter(Op op)
{
	switch (op)
	{
		case Op::Insert:
			return 'I';
		case Op::Update:
			return 'U';
		case Op::Delete:
			return 'D';
		case Op::Read:
			return 'R';
		case Op::Truncate:
			return 'T';
		default:
			return 'M';
	}
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
