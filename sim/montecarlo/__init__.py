"""Monte Carlo: kernel inputs from a projection, simulation, results and their metrics."""
