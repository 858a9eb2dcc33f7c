if header :regex "subject" "x" { discard; }
