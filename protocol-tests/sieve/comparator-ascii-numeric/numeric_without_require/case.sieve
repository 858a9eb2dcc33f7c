if header :is :comparator "i;ascii-numeric" "X-Score" "12" { discard; }
