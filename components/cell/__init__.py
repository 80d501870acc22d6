"""The parts of a RegionalCell, one module each: lambdas, ALB, web tier, asset pipeline, cache,
alarms. Each takes the cell's CellContext and creates its resources as children of the cell."""
