"""Load test of the site under gunicorn on PostgreSQL (locust): see loadtest/run.py."""
