/*
 * h_nps.c -- the NPS answer page, reached by a survey's signed link
 * without a login: 0-10 as large radio buttons and an optional comment,
 * a plain form (no script), then thanks. The same handlers answer JSON
 * for the mini-program under /api/v1/nps/{token}. The link's token is
 * the credential: the page's form carries the guest CSRF token as every
 * form does; the API needs none (nobody without the link can post).
 * Also the account page's pending surveys (h_nps_account_view).
 */
#include "base/base.h"
#include "domain/nps.h"
#include "http/http.h"
#include "handlers/handlers.h"

enum { F_SCORE, F_COMMENT };
static const struct field answer_fields[] = {
	/* Both checked by the domain, for its own error codes. */
	[F_SCORE] = { "score", FIELD_TEXT, 0, 0, 8, "评分" },
	[F_COMMENT] = { "comment", FIELD_TEXT, 0, 0, 0, "意见" },
	{ NULL, 0, 0, 0, 0, NULL }
};

static const char *
survey_url(struct ctx *c, const char *token)
{
	return ctx_link(c, arena_printf(c->d.arena, "/nps/%s", token));
}

static void
survey_view(struct ctx *c, json_object *v, const struct nps_survey *s,
    int64_t picked)
{
	json_object	*scores = json_object_new_array(), *o;
	int		 i;

	view_set_str(v, "action", survey_url(c, s->token));
	view_set_str(v, "state", s->state);
	view_set_bool(v, "answered", strcmp(s->state, "answered") == 0);
	view_set_str(v, "order_no", s->order_no);
	view_set_str(v, "sent", s->sent);
	view_set_str(v, "expires", s->expires);
	if (s->score >= 0) {
		view_set_i64(v, "score", s->score);
		view_set_str(v, "comment", s->comment);
	}
	for (i = 0; i <= 10; i++) {
		o = json_object_new_object();
		view_set_i64(o, "n", i);
		view_set_bool(o, "checked", picked == i);
		json_object_array_add(scores, o);
	}
	json_object_object_add(v, "scores", scores);
}

static int
h_nps_show(struct ctx *c)
{
	struct nps_survey	 s;
	json_object		*v;
	int			 rc;

	if ((rc = nps_open(&c->d, c->m.cap[0], &s)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	survey_view(c, v, &s, -1);
	view_set_bool(v, "thanks", strcmp(s.state, "answered") == 0);
	http_header(c, "Cache-Control", "private, no-store");
	http_header(c, "Referrer-Policy", "no-referrer");
	c->title = "满意度评价";
	return render(c, "nps");
}

static int
h_nps_answer(struct ctx *c)
{
	struct nps_survey	 s;
	struct form		 f;
	const char		*errstr, *token = c->m.cap[0];
	int64_t			 score = -1;
	json_object		*v;
	int			 rc;

	if (form_parse(c, answer_fields, &f) == -1)
		return http_fail(c, ERR_INVALID, f.error);
	/* A forged or expired link is 404 whatever the form says. */
	if ((rc = nps_open(&c->d, token, &s)) != 0)
		return http_fail(c, rc, c->d.error);
	if (f.v[F_SCORE].s == NULL || parse_i64(f.v[F_SCORE].s, 0, 10, &score,
	    &errstr) == -1) {
		c->d.code = "score_invalid";
		form_error(c, &f, "score", "评分", "请选择 0 到 10 分");
		return http_fail(c, ERR_INVALID, "请选择 0 到 10 分");
	}
	if ((rc = nps_answer(&c->d, token, score, f.v[F_COMMENT].s)) != 0) {
		if (rc == ERR_INVALID)
			form_error(c, &f, strcmp(c->d.code ? c->d.code : "",
			    "comment_too_long") == 0 ? "comment" : "score",
			    "意见", c->d.error);
		return http_fail(c, rc, c->d.error);
	}
	if (!c->json_out)
		return http_see_other(c, "%s", survey_url(c, token));
	if ((rc = nps_open(&c->d, token, &s)) != 0)
		return http_fail(c, rc, c->d.error);
	v = view_new(c);
	survey_view(c, v, &s, -1);
	return render(c, "nps");
}

/* The account page's surveys waiting for an answer: "nps_pending". */
int
h_nps_account_view(struct ctx *c, json_object *v)
{
	struct nps_survey	*s;
	json_object		*a, *o;
	int			 i, n, rc;

	if ((rc = nps_pending(&c->d, &s, &n)) != 0)
		return rc;
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		view_set_str(o, "url", survey_url(c, s[i].token));
		view_set_str(o, "order_no", s[i].order_no);
		view_set_str(o, "expires", s[i].expires);
		json_object_array_add(a, o);
	}
	json_object_object_add(v, "nps_pending", a);
	return 0;
}

#define TOKEN	"([0-9A-Za-z.]{1,100})"
const struct route h_nps_routes[] = {
	{ "GET", "^(?:/api/v1)?/nps/" TOKEN "$", h_nps_show, 0, NULL },
	{ "POST", "^/nps/" TOKEN "$", h_nps_answer, ROUTE_BODY | ROUTE_CSRF,
	  NULL },
	{ "POST", "^/api/v1/nps/" TOKEN "$", h_nps_answer,
	  ROUTE_BODY | ROUTE_JSON, NULL },
	{ NULL, NULL, NULL, 0, NULL }
};
