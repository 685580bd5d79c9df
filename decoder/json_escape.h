/*
 * json_escape.h: JSON string escaping, pure C++ (no PostgreSQL headers), so
 * that it can be unit-tested. Produces the same bytes as PostgreSQL's
 * escape_json: ", \ and the control characters \b \f \n \r \t are escaped
 * by name, other bytes below 0x20 as \u00XX, everything else verbatim.
 *
 * A Sink is anything with append(const char *, size_t) and push(char).
 */
#ifndef OUTFLOW_JSON_ESCAPE_H
#define OUTFLOW_JSON_ESCAPE_H

#include <cstddef>
#include <cstdint>

namespace outflow {

/* For each byte: 0 = copy, otherwise the letter after the backslash, or 'u'. */
struct JsonEscapeTable
{
	char code[256];

	constexpr JsonEscapeTable() : code()
	{
		for (int c = 0; c < 0x20; c++)
			code[c] = 'u';
		code[static_cast<int>('"')] = '"';
		code[static_cast<int>('\\')] = '\\';
		code[static_cast<int>('\b')] = 'b';
		code[static_cast<int>('\f')] = 'f';
		code[static_cast<int>('\n')] = 'n';
		code[static_cast<int>('\r')] = 'r';
		code[static_cast<int>('\t')] = 't';
	}
};

inline constexpr JsonEscapeTable kJsonEscape{};

/* Appends the escaped bytes of str[0..len), without surrounding quotes. */
template <typename Sink>
inline void
json_escape_body(Sink &sink, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	for (size_t i = 0; i < len; i++)
	{
		char code = kJsonEscape.code[static_cast<uint8_t>(str[i])];

		if (code == 0)
			continue;
		if (i > run)
			sink.append(str + run, i - run);
		run = i + 1;
		if (code == 'u')
		{
			char buf[6] = {'\\', 'u', '0', '0', hex[(static_cast<uint8_t>(str[i]) >> 4) & 0xF],
						   hex[static_cast<uint8_t>(str[i]) & 0xF]};
			sink.append(buf, 6);
		}
		else
		{
			char buf[2] = {'\\', code};
			sink.append(buf, 2);
		}
	}
	if (len > run)
		sink.append(str + run, len - run);
}

/* Appends str[0..len) as a quoted JSON string. */
template <typename Sink>
inline void
json_escape_quoted(Sink &sink, const char *str, size_t len)
{
	sink.push('"');
	json_escape_body(sink, str, len);
	sink.push('"');
}

} // namespace outflow

#endif
