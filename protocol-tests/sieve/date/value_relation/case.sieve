require ["date", "relational"];
if date :value "lt" "date" "date" "2006-01-01" { discard; }
