require "editheader";
addheader "X-Tag" "yes";
if header :is "x-tag" "yes" { discard; }
