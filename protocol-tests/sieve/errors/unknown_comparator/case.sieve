if header :comparator "i;unicode" "a" "b" { keep; }
