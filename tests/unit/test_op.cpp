// Unit tests: the operations and their conversions (decoder/op.h).
#include <gtest/gtest.h>

#include "op.h"

using outflow::Op;

namespace {

// Read is an insert for the actions option and for row filters.
TEST(Op, ActionBits)
{
	EXPECT_EQ(outflow::action_bit(Op::Insert), outflow::kActionInsert);
	EXPECT_EQ(outflow::action_bit(Op::Read), outflow::kActionInsert);
	EXPECT_EQ(outflow::action_bit(Op::Update), outflow::kActionUpdate);
	EXPECT_EQ(outflow::action_bit(Op::Delete), outflow::kActionDelete);
	EXPECT_EQ(outflow::action_bit(Op::Truncate), outflow::kActionTruncate);
	EXPECT_EQ(outflow::action_bit(Op::Message), 0);
}

TEST(Op, RowFilterIndex)
{
	EXPECT_EQ(outflow::row_filter_index(Op::Insert), 0);
	EXPECT_EQ(outflow::row_filter_index(Op::Read), 0);
	EXPECT_EQ(outflow::row_filter_index(Op::Update), 1);
	EXPECT_EQ(outflow::row_filter_index(Op::Delete), 2);
	EXPECT_LT(outflow::row_filter_index(Op::Delete), outflow::kRowFilterActions);
}

// The names the native format and wal2json format 1 write, and format 2's letters.
TEST(Op, NamesAndLetters)
{
	EXPECT_EQ(outflow::op_name(Op::Insert), "insert");
	EXPECT_EQ(outflow::op_name(Op::Update), "update");
	EXPECT_EQ(outflow::op_name(Op::Delete), "delete");
	EXPECT_EQ(outflow::op_name(Op::Read), "read");
	EXPECT_EQ(outflow::op_name(Op::Truncate), "truncate");
	EXPECT_EQ(outflow::op_letter(Op::Insert), 'I');
	EXPECT_EQ(outflow::op_letter(Op::Update), 'U');
	EXPECT_EQ(outflow::op_letter(Op::Delete), 'D');
	EXPECT_EQ(outflow::op_letter(Op::Read), 'R');
	EXPECT_EQ(outflow::op_letter(Op::Truncate), 'T');
	EXPECT_EQ(outflow::op_letter(Op::Message), 'M');
}

// The actions option names the four filterable operations, nothing else.
TEST(Op, ActionBitNamed)
{
	EXPECT_EQ(outflow::action_bit_named("insert"), outflow::kActionInsert);
	EXPECT_EQ(outflow::action_bit_named("truncate"), outflow::kActionTruncate);
	EXPECT_EQ(outflow::action_bit_named("read"), 0);
	EXPECT_EQ(outflow::action_bit_named("message"), 0);
	EXPECT_EQ(outflow::action_bit_named("Insert"), 0); // the parser lowercases first
}

} // namespace
