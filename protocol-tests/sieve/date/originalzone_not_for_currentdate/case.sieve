require "date";
if currentdate :originalzone "year" "2026" { discard; }
