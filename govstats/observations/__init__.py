"""Cells → observations: values, label matching, units, statuses and flags."""
