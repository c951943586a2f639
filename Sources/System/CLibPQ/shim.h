/* CLibPQ: libpq for Swift. Only PGClient imports this module. */
#ifndef LIFEBOAT_CLIBPQ_SHIM_H
#define LIFEBOAT_CLIBPQ_SHIM_H

#include <libpq-fe.h>

/* PG_DIAG_* are character-literal macros, which Swift does not import; typed constants do. */
static const int LB_PG_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int LB_PG_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;

#endif
