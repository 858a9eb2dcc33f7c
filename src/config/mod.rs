//! The configuration file: one TOML document, typed and validated.
