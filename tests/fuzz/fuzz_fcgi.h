/*
 * fuzz_fcgi.h -- a FastCGI request held in memory, so request_parse() and
 * request_body() run as in a worker: FCGX_GetParam() reads our envp and
 * FCGX_GetStr() reads the body from an FCGX_Stream over a buffer that
 * reports end of input when it runs dry.
 */
#ifndef FUZZ_FCGI_H
#define FUZZ_FCGI_H

#include <fcgiapp.h>

#define FAKE_MAXENV	32

struct fake_fcgi {
	FCGX_Request	 req;
	FCGX_Stream	 in;
	char		*env[FAKE_MAXENV + 1];
	int		 nenv;
};

static void
fake_fill(FCGX_Stream *s)
{
	s->isClosed = 1;		/* no more data: end of the body */
}

/* body[0..len) is the request body (not copied: keep it alive). */
static inline void
fake_init(struct fake_fcgi *f, const char *body, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->in.rdNext = f->in.stopUnget = (unsigned char *)body;
	f->in.stop = f->in.wrNext = len ? (unsigned char *)body + len :
	    (unsigned char *)body;
	f->in.isReader = 1;
	f->in.fillBuffProc = fake_fill;
	f->req.in = &f->in;
	f->req.envp = f->env;
	f->req.ipcFd = -1;
}

/* Add "NAME=value" (copied with xmalloc; fake_free() frees it). */
static inline int
fake_param(struct fake_fcgi *f, const char *name, const char *val,
    size_t vlen)
{
	size_t	nl = strlen(name);
	char	*e;

	if (f->nenv == FAKE_MAXENV)
		return -1;
	e = xmalloc(nl + 1 + vlen + 1);
	memcpy(e, name, nl);
	e[nl] = '=';
	memcpy(e + nl + 1, val, vlen);
	e[nl + 1 + vlen] = '\0';
	f->env[f->nenv++] = e;
	f->env[f->nenv] = NULL;
	return 0;
}

static inline void
fake_free(struct fake_fcgi *f)
{
	int	i;

	for (i = 0; i < f->nenv; i++)
		free(f->env[i]);
	f->nenv = 0;
}

#endif /* FUZZ_FCGI_H */
