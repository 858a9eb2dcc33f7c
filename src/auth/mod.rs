//! Accounts, domains, aliases, password hashes, SASL and login throttling.
