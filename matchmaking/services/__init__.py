"""Workflow steps that change state, one function per step, each in a transaction."""
