require "envelope";
if envelope :domain :is "to" "example.net" { discard; }
