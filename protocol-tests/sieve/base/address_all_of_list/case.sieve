if address :all :is "to" "carol@example.com" { discard; }
