/* A planted violation: a handler with its own SQL. */
#include "http/http.h"
#include "services/db.h"

int	plant_handler_sql(struct ctx *);

static const char sql_plant[] =
    "SELECT id FROM product WHERE shop_id = ?";

int
plant_handler_sql(struct ctx *c)
{
	return db_run(c->d.arena, NULL, sql_plant, "i", c->d.shop->id);
}
