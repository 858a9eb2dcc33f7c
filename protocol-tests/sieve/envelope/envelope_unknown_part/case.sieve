require "envelope";
if envelope :is "date" "x" { discard; }
