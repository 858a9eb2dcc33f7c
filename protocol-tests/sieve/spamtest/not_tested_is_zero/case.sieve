require "spamtest";
if spamtest :is "0" { discard; }
