require "envelope";
if envelope :is "from" "" { discard; }
