require "body";
if body :content "text/plain" :contains "quarterly" { discard; }
