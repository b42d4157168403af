/* A planted violation: the request path asking the database. */
#include "base/base.h"

int	db_ping(void);
int	plant_http_db(void);

int
plant_http_db(void)
{
	return db_ping();
}
