/*
 * db.h -- the worker's database connection (services/db.c): prepared
 * statements, results in the caller's arena, the transaction contract
 * (docs/architecture.md). Only the domain and the runtime include it.
 */
#ifndef SERVICES_DB_H
#define SERVICES_DB_H

#include "base/base.h"

/* db.c: one connection per worker, prepared statements only. */
struct db_res {
	int		 nrows;
	int		 ncols;
	char		**cell;		/* nrows * ncols; NULL is SQL NULL */
	uint64_t	 affected;
	uint64_t	 insert_id;
};
int		 db_library_init(void);
int		 db_open(void);
void		 db_close(void);
int		 db_ping(void);
int		 db_run(struct arena *, struct db_res **, const char *,
		     const char *, ...);
int		 db_each(const char *, int (*)(void *, const char **, int),
		     void *, const char *, ...);
int		 db_exec_text(const char *);
unsigned int	 db_errno(void);
int		 db_duplicate(void);
int		 db_check_failed(void);
int		 db_referenced(void);
int		 db_unreachable(void);
void		 db_clear_error(void);
const char	*db_error(void);
int		 db_tx_run(struct dctx *, int (*)(struct dctx *, void *), void *);
int		 db_in_tx(void);
void		 db_test_fail(unsigned int, int);	/* tests only */
void		 db_test_stmt_cache(int);		/* tests only */
const char	*db_cell(const struct db_res *, int, int);
int64_t		 db_cell_i64(const struct db_res *, int, int);

#endif /* SERVICES_DB_H */
