/*
 * backfill_key.cpp: the key of outflow.backfill()'s messages (backfill_key.h),
 * in the file outflow_backfill.key of the data directory.
 */
#include "backfill_key.h"

#include "pg.h"

extern "C" {
#include <fcntl.h>
#include <unistd.h>

#include "miscadmin.h"
#include "storage/fd.h"
}

namespace outflow {

namespace {

constexpr const char kKeyFile[] = "outflow_backfill.key";

/* The key once read, for the rest of the backend's life. */
uint8_t g_key[kBackfillKeyLen];
bool g_have_key = false;

/* Reads the key file; false if there is none. */
bool
read_key()
{
	int fd = OpenTransientFile(kKeyFile, O_RDONLY | PG_BINARY);
	ssize_t got;

	if (fd < 0)
	{
		if (errno == ENOENT)
			return false;
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not open file \"%s\": %m", kKeyFile)));
	}
	got = read(fd, g_key, kBackfillKeyLen);
	CloseTransientFile(fd);
	if (got != kBackfillKeyLen)
		ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED), errmsg("file \"%s\" does not hold a key of %d bytes", kKeyFile,
																kBackfillKeyLen),
						errhint("Remove the file: the next outflow.backfill() writes a new one.")));
	return true;
}

/* Writes a new random key durably (a concurrent writer's file wins). */
void
create_key()
{
	uint8_t key[kBackfillKeyLen];
	char tmp[MAXPGPATH];
	int fd;

	if (!pg_strong_random(key, sizeof(key)))
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not generate a random backfill key")));
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", kKeyFile, MyProcPid);
	fd = OpenTransientFile(tmp, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);
	if (fd < 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not create file \"%s\": %m", tmp)));
	if (write(fd, key, sizeof(key)) != static_cast<ssize_t>(sizeof(key)) || pg_fsync(fd) != 0)
	{
		CloseTransientFile(fd);
		unlink(tmp);
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not write file \"%s\": %m", tmp)));
	}
	CloseTransientFile(fd);
	/* link() fails if another backend got there first: then its key stands */
	if (link(tmp, kKeyFile) != 0 && errno != EEXIST)
	{
		unlink(tmp);
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not create file \"%s\": %m", kKeyFile)));
	}
	unlink(tmp);
	fsync_fname(".", true);
}

} // namespace

bool
backfill_key(uint8_t key[kBackfillKeyLen], bool create)
{
	if (!g_have_key)
	{
		g_have_key = read_key();
		if (!g_have_key && create)
		{
			create_key();
			g_have_key = read_key();
		}
		if (!g_have_key)
			return false;
	}
	memcpy(key, g_key, kBackfillKeyLen);
	return true;
}

} // namespace outflow
