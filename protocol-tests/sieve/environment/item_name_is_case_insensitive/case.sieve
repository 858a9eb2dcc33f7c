require "environment";
if environment :is "NAME" "postamt" { discard; }
