/*
 * json_escape.h: JSON string escaping, pure C++ (no PostgreSQL headers), so
 * that it can be unit-tested. Produces the same bytes as PostgreSQL's
 * escape_json: ", \ and the control characters \b \f \n \r \t are escaped
 * by name, other bytes below 0x20 as \u00XX, everything else verbatim.
 * pg_text.h writes these into PostgreSQL's StringInfo.
 */
#ifndef OUTFLOW_JSON_ESCAPE_H
#define OUTFLOW_JSON_ESCAPE_H

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pg_text_format.h" /* kHexDigits */

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

/* Whether none of the eight bytes in w is below 0x20, '"' or '\\' (false may be a false alarm). */
inline bool
json_word_plain(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	uint64_t quote = w ^ (ones * '"');
	uint64_t bslash = w ^ (ones * '\\');

	return (((w - ones * 0x20) | (quote - ones) | (bslash - ones)) & ~w & highs) == 0;
}

/* Writes \u00XX for byte c at p; returns the end. */
inline char *
json_put_u00(char *p, unsigned char c)
{
	memcpy(p, "\\u00", 4);
	p[4] = kHexDigits[c >> 4];
	p[5] = kHexDigits[c & 0xF];
	return p + 6;
}

/* Writes escape_json's escape of byte c (its table code) at p; returns the end. */
inline char *
json_put_escape(char *p, unsigned char c, char code)
{
	if (code == 'u')
		return json_put_u00(p, c);
	p[0] = '\\';
	p[1] = code;
	return p + 2;
}

/*
 * Copies the longest prefix of str[0..n) that JSON leaves alone (no byte
 * below 0x20, '"' or '\\') to dst; returns its length (n when the whole
 * string is plain). Sixteen bytes at a time with SSE2 (exact: a block with
 * such a byte copies up to it), then eight at a time, then byte by byte.
 */
inline size_t
json_copy_plain(char *dst, const char *str, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i ctl_max = _mm_set1_epi8(0x1F);

	for (; i + 16 <= n; i += 16)
	{
		__m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(str + i));
		/* min(v, 0x1F) == v exactly for the bytes below 0x20 (unsigned) */
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
								   _mm_cmpeq_epi8(_mm_min_epu8(v, ctl_max), v));
		unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit));

		if (mask != 0)
		{
			size_t k = static_cast<size_t>(__builtin_ctz(mask));

			memcpy(dst + i, str + i, k);
			return i + k;
		}
		_mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i), v);
	}
#endif
	/* Eight bytes at a time while none is below 0x20, '"' or '\\'. A word
	 * that might hold one goes to the byte loop, which decides exactly. */
	for (; i + 8 <= n; i += 8)
	{
		uint64_t w;

		memcpy(&w, str + i, 8);
		if (!json_word_plain(w))
			break;
		memcpy(dst + i, &w, 8);
	}
	for (; i < n; i++)
	{
		unsigned char c = static_cast<unsigned char>(str[i]);

		if (kJsonEscape.code[c] != 0)
			break;
		dst[i] = static_cast<char>(c);
	}
	return i;
}

/*
 * Writes str[0..n) at p, copying the runs of bytes JSON leaves alone
 * (json_copy_plain) and handing every other byte to special(p, c, code),
 * which writes its escape and returns the end. p must have room for the
 * worst case of special per byte. Returns the end.
 */
template <typename Special>
inline char *
json_escape_into(char *p, const char *str, size_t n, Special special)
{
	size_t i = 0;

	while (i < n)
	{
		size_t plain = json_copy_plain(p, str + i, n - i);

		p += plain;
		i += plain;
		if (i == n)
			break;
		unsigned char c = static_cast<unsigned char>(str[i++]);

		p = special(p, c, kJsonEscape.code[c]);
	}
	return p;
}

/* escape_json's bytes for str[0..n) at p (room: 6 * n); returns the end. */
inline char *
json_escape_into(char *p, const char *str, size_t n)
{
	return json_escape_into(p, str, n, json_put_escape);
}

/* The bytes an escape adds to byte c: 0 (verbatim), 1 (\n, \", ...) or 5 (\u00XX). */
inline size_t
json_escape_growth(unsigned char c)
{
	char code = kJsonEscape.code[c];

	return code == 0 ? 0 : code == 'u' ? 5 : 1;
}

/*
 * How many bytes json_escape_into writes for str[0..n) (without quotes): a
 * counting pass, for the oversize check of a large value (oversize.h), so
 * that a value is measured before any buffer is grown for it.
 */
inline size_t
json_escaped_size(const char *str, size_t n)
{
	size_t size = n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
	{
		uint64_t w;

		memcpy(&w, str + i, 8);
		if (json_word_plain(w))
			continue;
		for (size_t k = i; k < i + 8; k++)
			size += json_escape_growth(static_cast<unsigned char>(str[k]));
	}
	for (; i < n; i++)
		size += json_escape_growth(static_cast<unsigned char>(str[i]));
	return size;
}

} // namespace outflow

#endif
