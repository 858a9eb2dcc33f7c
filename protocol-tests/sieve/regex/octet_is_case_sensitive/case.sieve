require "regex";
if header :regex :comparator "i;octet" "subject" "^HEL+O$" { discard; }
