/* A planted violation: two base files that call each other. */
int	plant_ping(int);
int	plant_pong(int);

int
plant_pong(int n)
{
	return n > 0 ? plant_ping(n - 1) : 1;
}
