"""Reliability tests: a private PostgreSQL cluster and a real gunicorn server.

These tests restart, stop, back up and restore a database, so they never use the
shared PostgreSQL of DATABASE_URL: `loadtest.harness` starts a cluster of their own.
"""
