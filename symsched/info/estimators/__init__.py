"""Estimators with standard errors: the Monte Carlo skeleton, Monte Carlo and Gibbs profiles, data."""
