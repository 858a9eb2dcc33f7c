if header :is "subject" "hello" { discard; }
