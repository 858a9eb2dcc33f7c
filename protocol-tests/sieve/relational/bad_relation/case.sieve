require "relational";
if header :value "gx" "subject" "a" { discard; }
