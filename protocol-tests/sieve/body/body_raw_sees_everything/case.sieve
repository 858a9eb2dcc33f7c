require "body";
if body :raw :contains "secretblob" { discard; }
