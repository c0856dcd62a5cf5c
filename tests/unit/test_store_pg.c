/*
 * Unit tests of the store, ledger and audit log on the PostgreSQL backend: the same suite as
 * test_store.c (tests/store/suite.c), on a throwaway PostgreSQL 15 cluster that this program
 * starts and stops with scripts/pg-test.sh; each test gets a fresh database. Test layer.
 * Skipped, saying so, only when the PostgreSQL server binaries are not installed.
 */
#include "../store/suite.c"

#include <libpq-fe.h>
#include <stdlib.h>

static char conninfo[512];
static char clusterdir[256];
static int serial;

static void admin(const char *sql)
{
    PGconn *c = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static void suite_location(char *buf, size_t size)
{
    char sql[64];
    snprintf(sql, sizeof sql, "CREATE DATABASE hogo_t%d", ++serial);
    admin(sql);
    snprintf(buf, size, "pg:host=%s port=5432 user=hogo dbname=hogo_t%d", clusterdir, serial);
}

static void suite_drop(const char *location)
{
    char sql[96];
    const char *db = strstr(location, "dbname=");
    snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", db + 7);
    admin(sql);
}

int main(void)
{
    const char *src = getenv("HOGO_SOURCE_DIR");
    char cmd[1024];
    if (access("/usr/lib/postgresql/15/bin/postgres", X_OK) != 0) {
        printf("store/postgresql: skipped: PostgreSQL 15 server binaries are not installed "
               "(/usr/lib/postgresql/15/bin); install postgresql-15 to run this suite\n");
        return 0;
    }
    snprintf(cmd, sizeof cmd, "bash %s/scripts/pg-test.sh start", src ? src : ".");
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(conninfo, sizeof conninfo, p)) {
        fprintf(stderr, "store/postgresql: could not start a test cluster\n");
        if (p)
            pclose(p);
        return 1;
    }
    if (pclose(p) != 0)
        return 1;
    conninfo[strcspn(conninfo, "\n")] = '\0';
    if (sscanf(conninfo, "host=%255s", clusterdir) != 1)
        return 1;
    int rc = suite_run("store/postgresql");
    snprintf(cmd, sizeof cmd, "bash %s/scripts/pg-test.sh stop %s", src ? src : ".", clusterdir);
    if (system(cmd) != 0)
        fprintf(stderr, "store/postgresql: stopping the test cluster failed\n");
    return rc;
}
