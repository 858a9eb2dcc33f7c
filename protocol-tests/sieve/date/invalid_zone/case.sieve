require "date";
if currentdate :zone "CET" "year" "2026" { discard; }
