"""What an operator sees: Prometheus metrics at ``GET /metrics`` and security events in the log.

:class:`~service.metrics.registry.Metrics` owns one ``CollectorRegistry`` per app (built in
``create_app`` and kept on ``app.state``), so apps built side by side count apart.
:mod:`service.metrics.events` is how the rest of the service reports a security outcome: one
structured log line, and a count in the metrics of the app serving the current request.
"""
