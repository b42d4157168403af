/*
 * form.c -- input as a table of fields with validators (kcgi's keys):
 * form_parse() checks every field of the table against the request's
 * parameters (form body, JSON body or query) and names every bad one.
 */
#include "base/base.h"
#include "domain/pricing.h"
#include "domain/shop.h"
#include "http/http.h"

/*
 * Does s hold a bidi embedding, override or isolate (U+202A-U+202E,
 * U+2066-U+2069)? They reorder what is shown after them: a name could
 * make staff or customers read another text than the one stored.
 */
static int
has_bidi_control(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	for (; *p; p++)
		if (p[0] == 0xe2 &&
		    ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
		    (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))
			return 1;
	return 0;
}

/* Mainland mobile numbers: 1, then 3-9, then nine digits. */
static int
phone_ok(const char *s)
{
	int	i;

	if (strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
		return 0;
	for (i = 2; i < 11; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static const char *
check(struct ctx *c, const struct field *f, const char *s,
    struct form_value *v)
{
	const char	*why;
	size_t		 n;

	/* Passwords are never shown: whatever they hold is theirs. */
	if (f->type != FIELD_PASSWORD && has_bidi_control(s))
		return "含有不可见的文字方向控制符，请删除后重试";
	switch (f->type) {
	case FIELD_TEXT:
	case FIELD_PASSWORD:
		n = f->type == FIELD_TEXT ? utf8_len(s) : strlen(s);
		if (f->min && n < (size_t)f->min)
			return arena_printf(c->d.arena, "至少 %" PRId64 " 个字",
			    f->min);
		if (f->max && n > (size_t)f->max)
			return arena_printf(c->d.arena, "最多 %" PRId64 " 个字",
			    f->max);
		break;
	case FIELD_INT:
	case FIELD_ID:
		if (parse_i64(s, f->type == FIELD_ID ? 1 : f->min,
		    f->type == FIELD_ID ? INT64_MAX : f->max, &v->i64,
		    &why) == -1)
			return why;
		break;
	case FIELD_PHONE:
		if (!phone_ok(s))
			return "应为 11 位手机号";
		break;
	case FIELD_SLUG:
		if (!slug_valid(s))
			return "只能用小写字母、数字和 -，2 到 40 个字符";
		break;
	case FIELD_MONEY:
		if (parse_yuan(s, &v->i64, &why) == -1)
			return why;
		if (v->i64 < f->min)
			return arena_printf(c->d.arena, "不能低于 %s 元",
			    fmt_yuan_grouped(c->d.arena, f->min));
		if (f->max && v->i64 > f->max)
			return arena_printf(c->d.arena, "不能超过 %s 元",
			    fmt_yuan_grouped(c->d.arena, f->max));
		break;
	case FIELD_BOOL:
		if (!strcmp(s, "1") || !strcmp(s, "on") || !strcmp(s, "true"))
			v->i64 = 1;
		else if (!strcmp(s, "0") || !strcmp(s, "false"))
			v->i64 = 0;
		else
			return "应为是或否";
		break;
	}
	return NULL;
}

/*
 * Fill f->v[i] for each field of the table. Returns 0, or -1 with
 * f->error naming every bad field ("手机号：应为 11 位手机号；…") and
 * f->errors mapping field names to messages (for the JSON client).
 */
int
form_parse(struct ctx *c, const struct field *fields, struct form *f)
{
	struct buf	 msg;
	const char	*s, *why;
	int		 i;

	memset(f, 0, sizeof(*f));
	buf_init(&msg, 0);
	for (i = 0; fields[i].name != NULL && i < FORM_MAX; i++) {
		s = req_param(c, fields[i].name);
		if (s != NULL && fields[i].type != FIELD_PASSWORD) {
			while (isspace((unsigned char)*s))
				s++;
			s = arena_strdup(c->d.arena, s);
			for (char *e = (char *)s + strlen(s); e > s &&
			    isspace((unsigned char)e[-1]); )
				*--e = '\0';
		}
		why = NULL;
		if (s == NULL || *s == '\0') {
			if (fields[i].flags & FIELD_REQUIRED)
				why = "请填写";
		} else if ((why = check(c, &fields[i], s, &f->v[i])) == NULL) {
			f->v[i].s = s;
			f->v[i].present = 1;
		}
		if (why == NULL)
			continue;
		if (f->errors == NULL) {
			f->errors = json_object_new_object();
			arena_defer_json(c->d.arena, f->errors);
		}
		view_set_str(f->errors, fields[i].name, why);
		buf_printf(&msg, "%s%s：%s", msg.len ? "；" : "",
		    fields[i].label ? fields[i].label : fields[i].name, why);
	}
	c->form_errors = f->errors;	/* error.fields, if it fails */
	if (msg.len == 0) {
		buf_free(&msg);
		return 0;
	}
	f->error = arena_strdup(c->d.arena, buf_cstr(&msg));
	buf_free(&msg);
	return -1;
}

/*
 * Add a bad field to a parsed form after form_parse(): the message names
 * it like form_parse() does; the first reason for a field wins.
 */
void
form_error(struct ctx *c, struct form *f, const char *name,
    const char *label, const char *why)
{
	if (f->errors == NULL) {
		f->errors = json_object_new_object();
		arena_defer_json(c->d.arena, f->errors);
	}
	c->form_errors = f->errors;
	if (json_object_object_get_ex(f->errors, name, NULL))
		return;
	view_set_str(f->errors, name, why);
	f->error = f->error != NULL ? arena_printf(c->d.arena, "%s；%s：%s",
	    f->error, label, why) : arena_printf(c->d.arena, "%s：%s", label,
	    why);
}
