/*
 * field_errors.h -- which input a domain check refused, and why
 * (domain/field_errors.c). A module names its fields with an enum of its
 * own (enum product_field, enum category_field); the handler turns each
 * error into its form's, by the field's name and label.
 */
#ifndef DOMAIN_FIELD_ERRORS_H
#define DOMAIN_FIELD_ERRORS_H

struct field_error {
	int		 field;		/* the module's enum */
	int		 row;		/* of a repeated part (SKU); -1: none */
	const char	*why;		/* user-fit */
};
struct field_errors {
	struct field_error *v;		/* in the order found */
	int		 n;
	int		 cap;
};
void		 field_error_add(struct arena *, struct field_errors *, int,
		     int, const char *, ...)
		     __attribute__((format(printf, 5, 6)));
int		 field_error_has(const struct field_errors *, int, int);

#endif /* DOMAIN_FIELD_ERRORS_H */
