/* A planted violation: a handler that sees the database API second hand. */
#include "domain/customer_rows.h"

int	plant_handler_sees_db(void);

int
plant_handler_sees_db(void)
{
	return 0;
}
