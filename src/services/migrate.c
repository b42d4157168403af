/*
 * migrate.c -- `dinghuo migrate`: applies sql/NNN_name.sql in order, each
 * recorded in schema_migration with its SHA-256. A file changed after it
 * was applied stops everything: fix it with a new migration instead.
 * Statements of one file run in one transaction where MariaDB allows
 * (DDL commits implicitly); a named lock keeps two migrators apart.
 */
#include "base/base.h"
#include "services/db.h"
#include "services/migrate.h"

#include <dirent.h>
#include <sodium.h>

#define SQL_FILE_MAX	(4 * 1024 * 1024)

static const char sql_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migration ("
    "version INT UNSIGNED NOT NULL PRIMARY KEY, "
    "name VARCHAR(200) NOT NULL, checksum CHAR(64) NOT NULL, "
    "applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
static const char sql_lock[] = "SELECT GET_LOCK('dinghuo_migrate', 60)";
static const char sql_unlock[] = "SELECT RELEASE_LOCK('dinghuo_migrate')";
static const char sql_applied[] =
    "SELECT checksum FROM schema_migration WHERE version = ?";
static const char sql_record[] =
    "INSERT INTO schema_migration (version, name, checksum) "
    "VALUES (?, ?, ?)";

static int
name_ok(const char *n)
{
	size_t	len = strlen(n), i;

	if (len < 9 || strcmp(n + len - 4, ".sql") != 0 ||
	    !isdigit((unsigned char)n[0]) || !isdigit((unsigned char)n[1]) ||
	    !isdigit((unsigned char)n[2]) || n[3] != '_')
		return 0;
	for (i = 4; i < len - 4; i++)
		if (!islower((unsigned char)n[i]) &&
		    !isdigit((unsigned char)n[i]) && n[i] != '_')
			return 0;
	return 1;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*p;

	if ((f = fopen(path, "r")) == NULL) {
		log_warn("migrate: %s", path);
		return NULL;
	}
	p = xmalloc(SQL_FILE_MAX + 1);
	*len = fread(p, 1, SQL_FILE_MAX + 1, f);
	fclose(f);
	if (*len > SQL_FILE_MAX) {
		log_warnx("migrate: %s is larger than 4 MiB", path);
		free(p);
		return NULL;
	}
	p[*len] = '\0';
	return p;
}

/*
 * Run each ';'-terminated statement of text, skipping quoted strings and
 * comments when looking for the end. Returns 0 or -1 (logged).
 */
static int
run_statements(const char *file, char *text)
{
	char	*p = text, *start = text, quote = 0, saved;
	int	 line = 1, stmt_line = 1;

	for (; *p; p++) {
		if (*p == '\n')
			line++;
		if (quote) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '\'' || *p == '"' || *p == '`')
			quote = *p;
		else if ((*p == '-' && p[1] == '-') || *p == '#') {
			while (p[1] && p[1] != '\n')
				p++;
		} else if (*p == '/' && p[1] == '*') {
			while (p[1] && !(p[0] == '*' && p[1] == '/'))
				if (*++p == '\n')
					line++;
		} else if (*p == ';') {
			saved = p[1];
			*p = '\0';
			while (isspace((unsigned char)*start))
				start++;
			if (*start && db_exec_text(start) == -1) {
				log_warnx("migrate: %s near line %d: %s", file,
				    stmt_line, db_error());
				return -1;
			}
			*p = ';';
			(void)saved;
			start = p + 1;
			stmt_line = line;
		}
	}
	while (isspace((unsigned char)*start))
		start++;
	if (*start && strncmp(start, "--", 2) != 0) {
		log_warnx("migrate: %s: text after the last ';' near line %d",
		    file, stmt_line);
		return -1;
	}
	return 0;
}

static int
apply_one(struct arena *a, const char *dir, const char *name, int *applied)
{
	struct db_res	*r;
	unsigned char	 h[crypto_hash_sha256_BYTES];
	char		 sum[2 * sizeof(h) + 1], path[PATH_MAX];
	char		*text;
	size_t		 len;
	int64_t		 version = strtol(name, NULL, 10);
	int		 rc = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((text = slurp(path, &len)) == NULL)
		return -1;
	crypto_hash_sha256(h, (unsigned char *)text, len);
	hex_encode(h, sizeof(h), sum);
	if (db_run(a, &r, sql_applied, "i", version) == -1)
		goto out;
	if (r->nrows == 1) {
		if (strcmp(db_cell(r, 0, 0), sum) != 0) {
			log_warnx("migrate: %s was changed after it was applied "
			    "(checksum %s, applied %s); refusing to go on: put "
			    "the change in a new migration", name, sum,
			    db_cell(r, 0, 0));
			goto out;
		}
		rc = 0;
		goto out;
	}
	log_info("migrate: applying %s", name);
	if (db_exec_text("START TRANSACTION") == -1 ||
	    run_statements(name, text) == -1 ||
	    db_run(a, NULL, sql_record, "iss", version, name, sum) == -1 ||
	    db_exec_text("COMMIT") == -1) {
		db_exec_text("ROLLBACK");
		log_warnx("migrate: %s failed; statements before the failing "
		    "one that were DDL are already applied", name);
		goto out;
	}
	(*applied)++;
	rc = 0;
out:
	free(text);
	return rc;
}

int
migrate_run(const char *dir)
{
	struct arena	*a = arena_new(4096);
	struct dirent	*de;
	struct db_res	*r;
	DIR		*d;
	char		**names = NULL;
	int		 n = 0, i, rc = 1, applied = 0;

	if ((d = opendir(dir)) == NULL) {
		log_warn("migrate: %s", dir);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (!name_ok(de->d_name))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 1; i < n; i++)
		if (strncmp(names[i], names[i - 1], 3) == 0) {
			log_warnx("migrate: %s and %s share a number",
			    names[i - 1], names[i]);
			goto out;
		}
	if (db_open() == -1 || db_exec_text(sql_table) == -1 ||
	    db_run(a, &r, sql_lock, "") == -1 ||
	    db_cell_i64(r, 0, 0) != 1) {
		log_warnx("migrate: database not ready: %s", db_error());
		goto out;
	}
	for (i = 0; i < n; i++)
		if (apply_one(a, dir, names[i], &applied) == -1)
			break;
	db_run(a, NULL, sql_unlock, "");
	if (i == n) {
		log_info("migrate: %d applied, %d already there", applied,
		    n - applied);
		rc = 0;
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	arena_free(a);
	db_close();
	return rc;
}
