require "body";
if body :contains "bob" { discard; }
