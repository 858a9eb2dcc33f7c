require "regex";
if header :regex "subject" "^HEL+O$" { discard; }
