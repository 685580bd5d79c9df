/*
 * error.h: the exception pure C++ code throws for bad input. It carries a
 * SQLSTATE (as the integer PostgreSQL's MAKE_SQLSTATE gives) so that the
 * boundary can raise exactly the right ERROR. No PostgreSQL headers here.
 *
 * Which way an error goes: code that does not call PostgreSQL (option and
 * pattern parsing) throws Error; code that calls PostgreSQL (the decoding
 * path) raises with ereport, with only plain data alive (oversize.h holds
 * its "too large" errors).
 */
#ifndef OUTFLOW_ERROR_H
#define OUTFLOW_ERROR_H

#include <stdexcept>
#include <string>

namespace outflow {

/* SQLSTATEs we raise, encoded as PostgreSQL's MAKE_SQLSTATE does. */
constexpr int
sqlstate(const char (&s)[6])
{
	return ((s[0] - '0') & 0x3F) + (((s[1] - '0') & 0x3F) << 6) + (((s[2] - '0') & 0x3F) << 12) +
		   (((s[3] - '0') & 0x3F) << 18) + (((s[4] - '0') & 0x3F) << 24);
}

constexpr int kInvalidParameterValue = sqlstate("22023");
constexpr int kFeatureNotSupported = sqlstate("0A000");
constexpr int kProgramLimitExceeded = sqlstate("54000");

/* A user-facing error: message, optional detail and hint. */
struct Error : std::runtime_error
{
	int code;
	std::string detail;
	std::string hint;

	Error(int code_, const std::string &message, std::string detail_ = {}, std::string hint_ = {})
		: std::runtime_error(message), code(code_), detail(std::move(detail_)), hint(std::move(hint_))
	{
	}
};

} // namespace outflow

#endif
