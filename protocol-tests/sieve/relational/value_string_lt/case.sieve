require "relational";
if header :value "lt" "subject" "Zebra" { discard; }
