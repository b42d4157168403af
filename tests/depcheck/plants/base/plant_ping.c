/* A planted violation: two base files that call each other. */
int	plant_ping(int);
int	plant_pong(int);

int
plant_ping(int n)
{
	return n > 0 ? plant_pong(n - 1) : 0;
}
