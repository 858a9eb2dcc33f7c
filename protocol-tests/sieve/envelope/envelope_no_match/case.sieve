require "envelope";
if envelope :is "from" "mallory@example.org" { discard; }
