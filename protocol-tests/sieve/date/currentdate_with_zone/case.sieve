require ["date"];
if currentdate :zone "-1000" "date" "2026-11-23" { discard; }
