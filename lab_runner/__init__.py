"""Socket Lab: run socket exercises against a real containerized stack and check the results."""
