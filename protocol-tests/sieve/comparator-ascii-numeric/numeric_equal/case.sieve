require "comparator-i;ascii-numeric";
if header :is :comparator "i;ascii-numeric" "X-Score" "012" { discard; }
