//! Listeners, TLS, connection limits, timeouts, graceful shutdown and reload.
