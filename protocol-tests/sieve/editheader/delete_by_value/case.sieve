require "editheader";
deleteheader :contains "x-score" "9";
if exists "x-score" { discard; }
