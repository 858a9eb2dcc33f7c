require ["relational", "comparator-i;ascii-numeric"];
if header :count "gt" :comparator "i;ascii-numeric" "subject" "1" { discard; }
