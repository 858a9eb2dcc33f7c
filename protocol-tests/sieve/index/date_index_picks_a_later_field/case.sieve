require ["date", "index"];
if date :index 2 "date" "year" "2005" { discard; }
