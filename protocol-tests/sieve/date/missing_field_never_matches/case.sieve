require ["date", "relational"];
if date :value "ge" "resent-date" "year" "0000" { discard; }
