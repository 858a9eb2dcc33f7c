require "date";
if currentdate "fortnight" "1" { discard; }
