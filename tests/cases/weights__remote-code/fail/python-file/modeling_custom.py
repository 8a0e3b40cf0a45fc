"""Case file: stands in for custom modelling code."""
