/*
 * Unit tests of the store, ledger and audit log on the SQLite backend: the shared suite in
 * tests/store/suite.c, each test on a fresh database file in a temporary directory.
 * Test layer.
 */
#include "../store/suite.c"

#include <stdlib.h>

static char tmpdir[256];
static int serial;

static void suite_location(char *buf, size_t size)
{
    snprintf(buf, size, "%s/t%d.db", tmpdir, ++serial);
}

static void suite_drop(const char *location)
{
    char p[600];
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", location, suffix[i]);
        unlink(p);
    }
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hogo-store-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    int rc = suite_run("store/sqlite");
    rmdir(tmpdir);
    return rc;
}
