if header :is :comparator "i;octet" "subject" "hello" { discard; }
