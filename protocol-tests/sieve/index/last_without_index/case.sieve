require "index";
if header :last "subject" "x" { discard; }
