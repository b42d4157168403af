/*
 * migrate.h -- numbered SQL migrations (services/migrate.c).
 */
#ifndef SERVICES_MIGRATE_H
#define SERVICES_MIGRATE_H

#include "base/base.h"

/* migrate.c */
int		 migrate_run(const char *);

#endif /* SERVICES_MIGRATE_H */
