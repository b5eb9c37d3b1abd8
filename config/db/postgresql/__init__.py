"""The PostgreSQL engine: django-prometheus's (query metrics) with an outage breaker on the pool (`base`)."""
