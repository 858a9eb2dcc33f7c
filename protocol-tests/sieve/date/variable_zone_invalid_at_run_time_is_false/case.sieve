require ["date", "variables"];
set "z" "noon";
if currentdate :zone "${z}" "year" "2026" { discard; }
