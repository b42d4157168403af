/* A planted violation: a domain file that includes the request path. */
#include "base/base.h"
#include "http/tpl.h"

int	plant_domain_include(void);

int
plant_domain_include(void)
{
	return 0;
}
