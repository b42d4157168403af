/* A planted violation: the request path asking the database. */
#include "dinghuo.h"

int	plant_http_db(void);

int
plant_http_db(void)
{
	return db_ping();
}
