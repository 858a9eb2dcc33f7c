require ["envelope", "subaddress"];
if envelope :detail "to" "shop" { discard; }
