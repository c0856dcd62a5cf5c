/*
 * The fault-injecting store backend (fault_backend.c), for the store tests. Test layer: it is
 * compiled into the test programs only; libhogo knows nothing of it.
 * Target: "N:LOCATION" — forwards to the backend LOCATION names and fails store call N.
 */
#ifndef HOGO_TEST_FAULT_BACKEND_H
#define HOGO_TEST_FAULT_BACKEND_H

#include "audit/audit-int.h"

/* The operations table; open it with hogo__store_open_ops(). */
extern const struct hogo_store_ops hogo__fault_ops;

/* Calls the fault backend has counted so far (-1 for another backend). */
long hogo__fault_calls(const struct hogo_store *st);

#endif
