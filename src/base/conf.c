/*
 * conf.c -- the configuration: one table row per key (tmux options-table,
 * redis config.c). The table drives parsing of dinghuo.conf, the
 * DINGHUO_<KEY> environment overrides, check-config and the sample file.
 * Strings in struct conf are owned by it; conf_free() releases them.
 */
#include "base/base.h"
#include "base/conf.h"

enum conf_type { CONF_STR, CONF_INT, CONF_SECONDS, CONF_BYTES, CONF_BOOL };

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	const char	*def;
	int64_t		 min;
	int64_t		 max;
	size_t		 off;
	const char	*help;
};

#define O(f) offsetof(struct conf, f)
static const struct conf_key conf_table[] = {
	{ "listen", CONF_STR, "unix:var/run/dinghuo.sock", 0, 0, O(listen),
	  "FastCGI socket: unix:PATH or HOST:PORT; empty inherits fd 0\n"
	  "# (spawn-fcgi, or a web server that starts the workers)." },
	{ "listen_mode", CONF_INT, "432", 0, 511, O(listen_mode),
	  "Permissions of a unix socket (decimal; 432 = 0660: put the web\n"
	  "# server in dinghuo's group; 438 = 0666 lets any local user in)." },
	{ "fastcgi_allow", CONF_STR, "127.0.0.1", 0, 0, O(fastcgi_allow),
	  "Comma-separated addresses allowed to connect over TCP (the web\n"
	  "# servers); empty allows any." },
	{ "workers", CONF_INT, "4", 1, 256, O(workers),
	  "Worker processes to fork." },
	{ "backlog", CONF_INT, "1024", 16, 65535, O(backlog),
	  "Listen backlog of the FastCGI socket." },
	{ "max_requests", CONF_INT, "10000", 0, INT64_MAX, O(max_requests),
	  "Recycle a worker after this many requests (0: never)." },
	{ "request_timeout", CONF_SECONDS, "30", 1, 3600, O(request_timeout),
	  "Kill a request, and its worker, that runs longer than this." },
	{ "pid_file", CONF_STR, "var/run/dinghuo.pid", 0, 0, O(pid_file),
	  "Where the master writes its pid (empty: none)." },
	{ "error_log", CONF_STR, "", 0, 0, O(error_log),
	  "Error log path (empty: standard error)." },
	{ "access_log", CONF_STR, "", 0, 0, O(access_log),
	  "Access log path (empty: standard error)." },
	{ "log_debug", CONF_BOOL, "0", 0, 1, O(log_debug),
	  "Log debug lines too." },
	{ "db_host", CONF_STR, "localhost", 0, 0, O(db_host),
	  "MariaDB/MySQL host (localhost uses db_socket)." },
	{ "db_port", CONF_INT, "3306", 0, 65535, O(db_port),
	  "MariaDB/MySQL TCP port." },
	{ "db_socket", CONF_STR, "", 0, 0, O(db_socket),
	  "MariaDB/MySQL unix socket (empty: the client default)." },
	{ "db_user", CONF_STR, "dinghuo", 0, 0, O(db_user),
	  "Database user." },
	{ "db_password", CONF_STR, "", 0, 0, O(db_password),
	  "Database password." },
	{ "db_name", CONF_STR, "dinghuo", 0, 0, O(db_name),
	  "Database name." },
	{ "templates_dir", CONF_STR, "templates", 0, 0, O(templates_dir),
	  "Folder holding themes/<name>/." },
	{ "sql_dir", CONF_STR, "sql", 0, 0, O(sql_dir),
	  "Folder of numbered migrations NNN_name.sql." },
	{ "uploads_dir", CONF_STR, "var/uploads", 0, 0, O(uploads_dir),
	  "Where uploaded files are stored (served by the web server)." },
	{ "private_dir", CONF_STR, "var/private", 0, 0, O(private_dir),
	  "Where uploaded files only staff may see are stored (dealers'\n"
	  "# business licences): never served by the web server, read out\n"
	  "# by dinghuo itself. Not uploads_dir, nor inside it." },
	{ "image_helper", CONF_STR, "", 0, 0, O(image_helper),
	  "The dinghuo-image program that decodes uploads (empty: the one\n"
	  "# beside the dinghuo binary)." },
	{ "default_shop", CONF_STR, "", 0, 0, O(default_shop),
	  "Slug of the shop served when neither the Host header nor a\n"
	  "# /s/<slug>/ prefix names one (empty: none, 404)." },
	{ "shared_host", CONF_STR, "", 0, 0, O(shared_host),
	  "The shared host (a host name, no port): it serves the shops that\n"
	  "# have no host of their own, under /s/<slug>/, and default_shop\n"
	  "# at /. A shop with its own host (shop.host) is served there only,\n"
	  "# and there /s/<slug>/ is 404; its slug is served on no host.\n"
	  "# Empty: every host that is no shop's is shared. Set it when the\n"
	  "# web server passes on whatever Host a client sends (a catch-all\n"
	  "# server_name): other hosts then serve no shop." },
	{ "max_body", CONF_BYTES, "1m", 1024, 1073741824, O(max_body),
	  "Largest form or JSON body; larger ones get 413." },
	{ "max_upload", CONF_BYTES, "8m", 1024, 1073741824, O(max_upload),
	  "Largest multipart (upload) body; larger ones get 413." },
	{ "session_ttl", CONF_SECONDS, "14d", 300, 31536000, O(session_ttl),
	  "A session unused this long expires." },
	{ "login_max_failures", CONF_INT, "5", 1, 1000,
	  O(login_max_failures),
	  "Failed logins to one account from one address before every\n"
	  "# further try from there waits (login_delay)." },
	{ "login_max_failures_ip", CONF_INT, "20", 1, 100000,
	  O(login_max_failures_ip),
	  "Failed logins from one address (any account) before every further\n"
	  "# try from it waits." },
	{ "login_delay", CONF_SECONDS, "1m", 1, 86400, O(login_delay),
	  "The first wait once throttled; it doubles with every further\n"
	  "# failure, up to login_window." },
	{ "login_window", CONF_SECONDS, "15m", 10, 86400, O(login_window),
	  "Failed logins are forgotten after this long without one; also\n"
	  "# the longest wait." },
	{ "pwhash_memlimit", CONF_BYTES, "19m", 8192, 1073741824,
	  O(pwhash_memlimit),
	  "Argon2id memory per password hash (OWASP: 19 MiB)." },
	{ "pwhash_opslimit", CONF_INT, "2", 1, 20, O(pwhash_opslimit),
	  "Argon2id passes per password hash." },
	{ "job_runners", CONF_INT, "1", 0, 16, O(job_runners),
	  "Job runner processes serve forks beside its workers (0: none;\n"
	  "# run `dinghuo jobs run --once` from cron instead)." },
	{ "job_lease", CONF_SECONDS, "5m", 1, 86400, O(job_lease),
	  "Longest a job may run: past it its runner is stopped and, a\n"
	  "# moment later, another runner may take the job again." },
	{ "job_test_kinds", CONF_BOOL, "0", 0, 1, O(job_test_kinds),
	  "Offer the test.* job kinds (for the test suite; never in\n"
	  "# production)." },
	{ "check_views", CONF_BOOL, "0", 0, 1, O(check_views),
	  "Warn when a page's view has a key that hides a template global\n"
	  "# (base, title, ...): a walk of every view, for the test suite and\n"
	  "# development, not for the pages' hot path." },
	{ "catalog_cache_bytes", CONF_BYTES, "8m", 0, 17179869184LL,
	  O(catalog_cache_bytes),
	  "Storefront catalogs each worker keeps in memory; past this the\n"
	  "# least recently browsed shops' go first (a 10,000-product shop\n"
	  "# takes about 2.2m; the shop being served always stays)." },
	{ "secrets_dir", CONF_STR, "var/secrets", 0, 0, O(secrets_dir),
	  "Where each shop's WeChat secrets are kept (AppSecrets, the WeChat\n"
	  "# Pay merchant key and APIv3 key), one 0600 file each under\n"
	  "# <shop_id>/, in folders only dinghuo's user may enter: out of the\n"
	  "# database and its dumps. Back it up apart. Not served by nginx." },
	{ "wechat_api_base", CONF_STR, "https://api.weixin.qq.com", 0, 0,
	  O(wechat_api_base),
	  "WeChat API (tokens, login, messages, QR codes). Plain http only\n"
	  "# to 127.0.0.1 (test fakes)." },
	{ "wechat_open_base", CONF_STR, "https://open.weixin.qq.com", 0, 0,
	  O(wechat_open_base),
	  "WeChat OAuth page the H5 login redirects to." },
	{ "wechat_mp_base", CONF_STR, "https://mp.weixin.qq.com", 0, 0,
	  O(wechat_mp_base),
	  "WeChat's public site: the official account's QR code images\n"
	  "# (showqrcode links on the channel pages)." },
	{ "wechat_pay_base", CONF_STR, "https://api.mch.weixin.qq.com", 0, 0,
	  O(wechat_pay_base),
	  "WeChat Pay API v3. Plain http only to 127.0.0.1 (test fakes)." },
	{ "wecom_api_base", CONF_STR, "https://qyapi.weixin.qq.com", 0, 0,
	  O(wecom_api_base),
	  "WeCom (企业微信) API: 微信客服 conversations (docs/wechat-kf.md).\n"
	  "# Plain http only to 127.0.0.1 (test fakes)." },
	{ "wechat_ca_file", CONF_STR, "", 0, 0, O(wechat_ca_file),
	  "CA bundle for the WeChat APIs (empty: the system's)." },
	{ "wechat_timeout", CONF_SECONDS, "5", 1, 60, O(wechat_timeout),
	  "Longest wait for one WeChat or WeChat Pay call." },
	{ "sms_url", CONF_STR, "", 0, 0, O(sms_url),
	  "The SMS provider's send endpoint for login codes (empty: no SMS\n"
	  "# login). dinghuo POSTs {\"phone\",\"sign\",\"text\"} as JSON with\n"
	  "# Authorization: Bearer sms_token; a 2xx answer is sent. https, or\n"
	  "# http to 127.0.0.1 (a gateway on this host, the test fake)." },
	{ "sms_token", CONF_STR, "", 0, 0, O(sms_token),
	  "The bearer token for sms_url." },
	{ NULL, 0, NULL, 0, 0, 0, NULL }
};
#undef O

struct conf conf;

static int64_t *
i64_at(struct conf *cf, const struct conf_key *k)
{
	return (int64_t *)((char *)cf + k->off);
}

static char **
str_at(struct conf *cf, const struct conf_key *k)
{
	return (char **)((char *)cf + k->off);
}

/* Parse "30", "15m", "14d" (seconds) or "8m", "512k" (bytes). */
static int
parse_scaled(const char *s, enum conf_type t, int64_t *out)
{
	const char	*err;
	char		 num[32];
	size_t		 n = strlen(s);
	int64_t		 mul = 1, v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	if (t == CONF_SECONDS || t == CONF_BYTES) {
		switch (tolower((unsigned char)num[n - 1])) {
		case 's': mul = 1; break;
		case 'm': mul = t == CONF_SECONDS ? 60 : 1048576; break;
		case 'h': mul = t == CONF_SECONDS ? 3600 : -1; break;
		case 'd': mul = t == CONF_SECONDS ? 86400 : -1; break;
		case 'k': mul = t == CONF_BYTES ? 1024 : -1; break;
		case 'g': mul = t == CONF_BYTES ? 1073741824 : -1; break;
		default: mul = 0; break;
		}
		if (mul == -1)
			return -1;
		if (mul != 0)
			num[n - 1] = '\0';
		else
			mul = 1;
	}
	if (parse_i64(num, 0, INT64_MAX / 1073741824, &v, &err) == -1)
		return -1;
	*out = v * mul;
	return 0;
}

static int
conf_set(struct conf *cf, const struct conf_key *k, const char *val,
    const char *where, struct buf *errs)
{
	int64_t	v;

	if (k->type == CONF_STR) {
		free(*str_at(cf, k));
		*str_at(cf, k) = xstrdup(val);
		return 0;
	}
	if (k->type == CONF_BOOL) {
		if (!strcmp(val, "1") || !strcasecmp(val, "yes") ||
		    !strcasecmp(val, "on") || !strcasecmp(val, "true"))
			v = 1;
		else if (!strcmp(val, "0") || !strcasecmp(val, "no") ||
		    !strcasecmp(val, "off") || !strcasecmp(val, "false"))
			v = 0;
		else
			goto bad;
	} else if (parse_scaled(val, k->type, &v) == -1)
		goto bad;
	if (v < k->min || v > k->max) {
		buf_printf(errs, "%s: %s = %s is out of range (%" PRId64
		    " to %" PRId64 ")\n", where, k->name, val, k->min, k->max);
		return -1;
	}
	*i64_at(cf, k) = v;
	return 0;
bad:
	buf_printf(errs, "%s: %s = %s is not a valid %s\n", where, k->name,
	    val, k->type == CONF_BOOL ? "yes/no" : k->type == CONF_INT ?
	    "number" : k->type == CONF_SECONDS ? "duration (30, 15m, 2h, 14d)" :
	    "size (512k, 8m)");
	return -1;
}

static const struct conf_key *
conf_find(const char *name)
{
	const struct conf_key	*k;

	for (k = conf_table; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
conf_file(const char *path, struct conf *cf, struct buf *errs)
{
	FILE			*f;
	char			 line[4096], where[600], *key, *val, *eq;
	const struct conf_key	*k;
	int			 lineno = 0, bad = 0;

	if ((f = fopen(path, "r")) == NULL) {
		buf_printf(errs, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			buf_printf(errs, "%s: expected key = value\n", where);
			bad++;
			continue;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		if ((k = conf_find(key)) == NULL) {
			buf_printf(errs, "%s: unknown key '%s'\n", where, key);
			bad++;
			continue;
		}
		if (conf_set(cf, k, val, where, errs) == -1)
			bad++;
	}
	fclose(f);
	return bad;
}

/*
 * Whether path names dir or a place under it, as written; check-config
 * also compares the real paths, past symlinks and "..".
 */
int
conf_inside(const char *path, const char *dir)
{
	size_t	n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(path, dir, n) != 0)
		return 0;
	return path[n] == '\0' || path[n] == '/' || dir[n - 1] == '/';
}

/*
 * Defaults, then the file (path may be NULL), then DINGHUO_<KEY> from the
 * environment. Every problem is appended to errs as one line; returns the
 * number of problems (0: cf is complete and usable).
 */
/*
 * An external service's base URL: https, or plain http to the loopback
 * address only (the test fakes), no trailing slash (paths start with
 * one). 1 (and a line in errs) when it is not.
 */
static int
conf_base_url(struct buf *errs, const char *key, const char *v)
{
	size_t	n = strlen(v);

	if (strncmp(v, "https://", 8) == 0 && n > 8 && v[n - 1] != '/')
		return 0;
	if ((strncmp(v, "http://127.0.0.1:", 17) == 0 ||
	    strncmp(v, "http://[::1]:", 13) == 0) && v[n - 1] != '/')
		return 0;
	buf_printf(errs, "%s = %s: want https://host (no trailing /), or "
	    "http://127.0.0.1:port for a local fake\n", key, v);
	return 1;
}

int
conf_load(const char *path, struct conf *cf, struct buf *errs)
{
	const struct conf_key	*k;
	char			 env[80], *p;
	const char		*v;
	int			 bad = 0;

	memset(cf, 0, sizeof(*cf));
	for (k = conf_table; k->name != NULL; k++)
		conf_set(cf, k, k->def, "default", errs);
	if (path != NULL)
		bad += conf_file(path, cf, errs);
	for (k = conf_table; k->name != NULL; k++) {
		snprintf(env, sizeof(env), "DINGHUO_%s", k->name);
		for (p = env; *p; p++)
			*p = toupper((unsigned char)*p);
		if ((v = getenv(env)) != NULL &&
		    conf_set(cf, k, v, env, errs) == -1)
			bad++;
	}
	if (*cf->private_dir == '\0') {
		buf_printf(errs, "private_dir must not be empty\n");
		bad++;
	} else if (conf_inside(cf->private_dir, cf->uploads_dir)) {
		buf_printf(errs, "private_dir = %s is uploads_dir or inside it: "
		    "the web server would serve it\n", cf->private_dir);
		bad++;
	}
	if (*cf->secrets_dir == '\0') {
		buf_printf(errs, "secrets_dir must not be empty\n");
		bad++;
	} else if (conf_inside(cf->secrets_dir, cf->uploads_dir)) {
		buf_printf(errs, "secrets_dir = %s is uploads_dir or inside it: "
		    "the web server would serve it\n", cf->secrets_dir);
		bad++;
	}
	bad += conf_base_url(errs, "wechat_api_base", cf->wechat_api_base);
	bad += conf_base_url(errs, "wechat_open_base", cf->wechat_open_base);
	bad += conf_base_url(errs, "wechat_mp_base", cf->wechat_mp_base);
	bad += conf_base_url(errs, "wechat_pay_base", cf->wechat_pay_base);
	bad += conf_base_url(errs, "wecom_api_base", cf->wecom_api_base);
	if (*cf->sms_url != '\0')
		bad += conf_base_url(errs, "sms_url", cf->sms_url);
	if (cf->default_shop[0] != '\0' && !slug_valid(cf->default_shop)) {
		buf_printf(errs, "default_shop = %s is not a valid slug\n",
		    cf->default_shop);
		bad++;
	}
	return bad;
}

void
conf_free(struct conf *cf)
{
	const struct conf_key	*k;

	for (k = conf_table; k->name != NULL; k++)
		if (k->type == CONF_STR)
			free(*str_at(cf, k));
	memset(cf, 0, sizeof(*cf));
}

/* The sample file: every key, its help and its default. */
void
conf_sample(struct buf *out)
{
	const struct conf_key	*k;

	buf_adds(out, "# dinghuo.conf -- every key may also be set by the "
	    "environment\n# variable DINGHUO_<KEY>, which wins over this "
	    "file.\n");
	for (k = conf_table; k->name != NULL; k++)
		buf_printf(out, "\n# %s\n#%s = %s\n", k->help, k->name,
		    k->def);
}

/* key = value for every key, passwords masked (check-config -v). */
void
conf_dump(const struct conf *cf, struct buf *out)
{
	const struct conf_key	*k;

	for (k = conf_table; k->name != NULL; k++) {
		if (k->type == CONF_STR)
			buf_printf(out, "%s = %s\n", k->name,
			    strcmp(k->name, "db_password") == 0 ? "********" :
			    *str_at((struct conf *)cf, k));
		else
			buf_printf(out, "%s = %" PRId64 "\n", k->name,
			    *i64_at((struct conf *)cf, k));
	}
}
