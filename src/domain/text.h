/*
 * text.h -- checks and quoting of what people type, shared by the catalog's
 * domain files (domain/text.c): forms and CSV cells alike.
 */
#ifndef DOMAIN_TEXT_H
#define DOMAIN_TEXT_H

#include "base/base.h"

char		*text_trim(struct arena *, const char *, const char *);
const char	*text_shown(struct arena *, const char *, int);
int		 text_has_control(const char *, int);
void		 text_replace(char *, const char *, char);
void		 text_json(struct buf *, const char *);

#endif /* DOMAIN_TEXT_H */
