/*
 * prune.h -- uploads nobody uses (domain/prune.c).
 */
#ifndef DOMAIN_PRUNE_H
#define DOMAIN_PRUNE_H

#include "base/base.h"

/* prune.c: the core of `uploads prune`, for the uploads.prune job too. */
struct prune_stats {
	int		 files, removed, kept, failed;
	uint64_t	 bytes;
};
int		 uploads_prune(int64_t, int64_t, int, int,
		     struct prune_stats *);

#endif /* DOMAIN_PRUNE_H */
