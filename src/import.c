/* import.c -- placeholder; being written. */
#include "dinghuo.h"

int
cli_import(int argc, char **argv)
{
	fprintf(stderr, "dinghuo: import is not built yet\n");
	return 1;
}

int
cli_export(int argc, char **argv)
{
	fprintf(stderr, "dinghuo: export is not built yet\n");
	return 1;
}
