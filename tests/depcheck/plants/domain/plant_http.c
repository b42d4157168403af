/* A planted violation: a domain file that answers HTTP itself. */
#include "base/base.h"

int	http_fail(struct ctx *, enum err, const char *);
int	plant_domain_fail(struct ctx *);
int	FCGX_FFlush(void *);

int
plant_domain_fail(struct ctx *c)
{
	FCGX_FFlush(NULL);
	return http_fail(c, ERR_NOT_FOUND, NULL);
}
