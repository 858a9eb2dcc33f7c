if header :matches "subject" "H?l*" { discard; }
