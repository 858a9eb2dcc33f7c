if address :domain :is "from" "example.org" { discard; }
