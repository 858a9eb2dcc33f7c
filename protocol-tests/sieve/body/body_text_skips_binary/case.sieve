require "body";
if body :text :contains "secretblob" { discard; }
