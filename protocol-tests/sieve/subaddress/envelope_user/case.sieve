require ["envelope", "subaddress"];
if envelope :user "to" "bob" { discard; }
