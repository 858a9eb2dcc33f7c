if currentdate "year" "2026" { discard; }
